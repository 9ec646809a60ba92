/**
 * PII redaction shared by the agent and dispatch: keeps phone numbers, card
 * numbers, other long numbers and e-mail addresses out of logs, transcripts
 * and stored records. Pure and linear-time: every regex here has disjoint
 * character classes between its repeated parts, so none can backtrack
 * catastrophically.
 */

/** Number words a speech recognizer may write instead of digits. */
const DIGIT_WORDS: ReadonlyMap<string, string> = new Map([
  ['zero', '0'],
  ['oh', '0'],
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
]);

/**
 * An e-mail address. The lookbehind anchors the match at the start of a run of
 * local-part characters, so a long run without `@` is scanned once, not once
 * per position.
 */
const EMAIL = /(?<![\w.%+-])[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;

const WORD = `\\b(?:${[...DIGIT_WORDS.keys()].join('|')})\\b`;
const TOKEN = `(?:\\d+|${WORD})`;
/**
 * A run of digit groups and number words joined by up to three separator
 * characters: `+1 (555) 123-4567`, `4111 1111 1111 1111`, `1,234.56`,
 * `05/01/1990`, `one two three four`. An optional leading `+` or `(` belongs
 * to the run.
 */
const NUMERIC_RUN = new RegExp(`[+(]?${TOKEN}(?:[ \\t().,/-]{1,3}${TOKEN})*`, 'gi');
const RUN_TOKEN = /\d+|[a-z]+/gi;

/** What a masked run was, as shown in its replacement token. */
export type RedactionKind = 'phone' | 'card' | 'number' | 'email';

/**
 * Masks personal data in free text (caller transcripts, summaries, notes) with
 * typed tokens a human can read: `[phone]`, `[card]`, `[number]`, `[email]`.
 *
 * - `[email]`: an e-mail address.
 * - `[phone]`: `+` and 7–15 digits; 10 digits; 11 digits starting with 1 or 0
 *   (`1-800-555-0199`); or 7 digits written `555-1234`.
 * - `[card]`: 13–19 digits, grouped or not, Luhn-valid or not.
 * - `[number]`: any other run of 4 or more digits (accounts, PINs, dates, years).
 *
 * Digits may be grouped by spaces, dashes, dots, commas, slashes or
 * parentheses, and may be spoken as words (`zero`/`oh`, `one`…`nine`), alone
 * or mixed with digits. Runs of 1–3 digits stay (`press 1`, `2 items`).
 *
 * @example
 * redactText('Card 4111 1111 1111 1111, call me on (555) 123-4567');
 * // 'Card [card], call me on [phone]'
 * redactText('my pin is one two three four'); // 'my pin is [number]'
 * redactText('write to jo@example.com'); // 'write to [email]'
 */
export function redactText(text: string): string {
  return text.replace(EMAIL, token('email')).replace(NUMERIC_RUN, (run) => {
    const kind = classifyRun(run);
    return kind === undefined ? run : token(kind);
  });
}

/**
 * Masks a phone number (ANI, DNIS) for logs: every digit but the last two
 * becomes `•`; other characters stay.
 *
 * @example
 * maskPhone('+15551234567'); // '+•••••••••67'
 * maskPhone('sip:+15551234567@pbx'); // 'sip:+•••••••••67@pbx'
 * maskPhone(''); // ''
 */
export function maskPhone(number: string): string {
  let toMask = number.replace(/\D/g, '').length - 2;
  let out = '';
  for (const ch of number) {
    if (ch >= '0' && ch <= '9' && toMask > 0) {
      out += '•';
      toMask -= 1;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Keys whose values {@link redactFields} replaces whole. Tested against the key
 * as written and in snake_case (`callerANI` → `caller_ani`); the short names
 * (`pin`, `ani`, `ssn`, `dob`) must be a whole word so `shipping` or
 * `organization` pass.
 */
export const DEFAULT_SENSITIVE_KEYS =
  /account|acct|card|phone|callback|number|e[-_]?mail|birth|(?:^|[^a-z])(?:pin|ani|ssn|dob)(?:$|[^a-z])/i;

/**
 * Redacts collected key/value fields: values of sensitive keys become
 * `[redacted]` (an empty value stays empty), others go through
 * {@link redactText}. Returns a new frozen object; the input is not changed.
 *
 * @param sensitiveKeys which keys to redact whole; defaults to
 *   {@link DEFAULT_SENSITIVE_KEYS}. Tested against the key as written and in
 *   snake_case.
 * @example
 * redactFields({ account: '12345', intent: 'billing', note: 'call 555-123-4567' });
 * // { account: '[redacted]', intent: 'billing', note: 'call [phone]' }
 * redactFields({ member: 'A1234' }, /member/); // { member: '[redacted]' }
 */
export function redactFields(
  fields: Readonly<Record<string, string>>,
  sensitiveKeys: RegExp = DEFAULT_SENSITIVE_KEYS,
): Readonly<Record<string, string>> {
  // Without g/y, test() keeps no state between keys.
  const sensitive = new RegExp(sensitiveKeys.source, sensitiveKeys.flags.replace(/[gy]/g, ''));
  const isSensitive = (key: string) => sensitive.test(key) || sensitive.test(snakeCase(key));
  return Object.freeze(
    // fromEntries defines own properties, so a `__proto__` key stays a plain key.
    Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [
        key,
        isSensitive(key) ? (value === '' ? '' : REDACTED) : redactText(value),
      ]),
    ),
  );
}

const REDACTED = '[redacted]';

const token = (kind: RedactionKind) => `[${kind}]`;

const snakeCase = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** What a numeric run is, or undefined when it is short enough to keep. */
function classifyRun(run: string): Exclude<RedactionKind, 'email'> | undefined {
  let digits = '';
  const groups: number[] = [];
  let spoken = false;
  for (const [part] of run.matchAll(RUN_TOKEN)) {
    const word = DIGIT_WORDS.get(part.toLowerCase());
    if (word === undefined) {
      digits += part;
      groups.push(part.length);
    } else {
      digits += word;
      spoken = true;
    }
  }
  const n = digits.length;
  if (n < 4) return undefined;
  if (run.startsWith('+')) return n >= 7 && n <= 15 ? 'phone' : 'number';
  if (n >= 13 && n <= 19) return 'card';
  if (n === 10 || (n === 11 && /^[01]/.test(digits))) return 'phone';
  if (!spoken && groups.length === 2 && groups[0] === 3 && groups[1] === 4) return 'phone';
  return 'number';
}
