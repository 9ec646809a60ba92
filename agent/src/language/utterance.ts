/**
 * A caller's words in one canonical spelling, so a phrase matches however a
 * recognizer wrote it. The handoff policy (human-request and negative words),
 * the offline rules engine and persona tests all compare through it. Pure; no
 * framework state.
 */

/** Typographic apostrophes and look-alikes recognizers and keyboards produce. */
const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4]/g;
/** Anything that is neither a letter, a digit nor an apostrophe separates words. */
const SEPARATORS = /[^\p{L}\p{N}']+/gu;
const MARKS = /\p{M}+/gu;

/** Contractions whose stem changes when expanded. */
const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ["can't", 'can not'],
  ['cannot', 'can not'],
  ["won't", 'will not'],
  ["shan't", 'shall not'],
  ["ain't", 'is not'],
  ["let's", 'let us'],
]);

/**
 * Contraction suffixes and their expansion. `'d` reads as "would" (callers
 * say "I'd like" far more than "I'd had"); `'s` is dropped because it is a
 * possessive as often as "is", and "my bill's wrong" must still contain "bill".
 */
const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ["n't", 'not'],
  ["'re", 'are'],
  ["'ve", 'have'],
  ["'ll", 'will'],
  ["'d", 'would'],
  ["'m", 'am'],
  ["'s", ''],
];

function expandToken(raw: string): string {
  const token = raw.replace(/^'+|'+$/g, '');
  const irregular = IRREGULAR.get(token);
  if (irregular !== undefined) return irregular;
  for (const [suffix, expansion] of SUFFIXES) {
    if (token.length > suffix.length && token.endsWith(suffix)) {
      return `${token.slice(0, -suffix.length).replaceAll("'", '')} ${expansion}`;
    }
  }
  return token.replaceAll("'", '');
}

/**
 * Lower-cases, folds accents, expands contractions, turns punctuation into
 * word breaks and collapses spaces. Phrases and utterances go through the
 * same function, so a phrase matches however the recognizer spelled it.
 *
 * @example
 * normalizeUtterance('I’d like to talk to someone, about my BILL!');
 * // 'i would like to talk to someone about my bill'
 * normalizeUtterance("My bill's wrong, I can't pay it.");
 * // 'my bill wrong i can not pay it'
 */
export function normalizeUtterance(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(APOSTROPHES, "'")
    .replace(SEPARATORS, ' ')
    .split(' ')
    .map(expandToken)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}
