/**
 * Keypad (DTMF) digit collection for ONE prompt: a pure state machine driven
 * by `press()` and by timers from an injected {@link Clock}, so tests run it
 * with a deterministic clock and production with {@link systemClock}.
 *
 * Privacy rule: collected digits (account numbers, PINs, card numbers) are
 * never logged and never shown to the LLM. Callers log only `masked`
 * (see {@link redact}); a `collected` result also serializes (`JSON.stringify`,
 * pino) and inspects (`console.log`, `util.inspect`) with its value masked.
 * Failed attempts carry no digits at all.
 */
import { inspect } from 'node:util';

/** Timers the collector uses. Injected so tests can drive time by hand. */
export type Clock<Handle = unknown> = Readonly<{
  setTimeout: (fn: () => void, ms: number) => Handle;
  clearTimeout: (handle: Handle) => void;
}>;

/** The real timers. */
export const systemClock: Clock<NodeJS.Timeout> = Object.freeze({
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: NodeJS.Timeout) => clearTimeout(handle),
});

/** What one prompt accepts. Lengths count digits 0-9 only. */
export type DigitSpec = Readonly<{
  /** Fewest digits accepted, >= 0. */
  minDigits: number;
  /** Most digits accepted, >= max(1, minDigits). */
  maxDigits: number;
  /** Silence after a key press that ends the entry, > 0. The first key has no such limit. */
  interDigitTimeoutMs: number;
  /** Hard cap on one attempt from collector creation, > 0. Not reset by the restart key. */
  overallTimeoutMs: number;
  /** Ends the entry early. Default `'#'`. */
  finishKey?: '#' | '*';
  /** Clears what was typed so the caller can start over. Default `'*'`. */
  restartKey?: '#' | '*';
  /**
   * When true (default), the entry ends as soon as `maxDigits` are typed.
   * When false the caller ends it (finish key or silence) and extra digits
   * give `too_long`; use it where over-typing should be caught, not truncated.
   */
  finishOnMaxDigits?: boolean;
  /** Extra check on the whole value: a Luhn checksum, or a pattern it must match in full. */
  validate?: 'luhn' | RegExp;
  /** Attempts before giving up, >= 1; used by `collectWithRetries`. */
  maxAttempts: number;
}>;

export type InvalidReason = 'too_short' | 'too_long' | 'pattern' | 'luhn';
export type TimeoutKind = 'inter_digit' | 'overall';

/** Digits the caller entered. Log `masked`, never `value`. */
export type Collected = Readonly<{ status: 'collected'; value: string; masked: string }>;
export type Invalid = Readonly<{ status: 'invalid'; reason: InvalidReason; attempt: number }>;
export type TimedOut = Readonly<{ status: 'timeout'; kind: TimeoutKind; attempt: number }>;
export type GaveUp = Readonly<{ status: 'gave_up'; attempts: number }>;

/** The outcome of one attempt (one prompt). */
export type AttemptResult = Collected | Invalid | TimedOut;
/** The outcome of the whole exchange, retries included. */
export type DigitResult = AttemptResult | GaveUp;

export type DigitCollector = Readonly<{
  /** Feeds one key: `0`-`9`, `*` or `#`. Anything else, or any key after the result, is ignored. */
  press: (key: string) => void;
  /** Settles exactly once, at the latest `overallTimeoutMs` after creation; timers are cleared by then. */
  result: Promise<AttemptResult>;
  /** The result once settled, else `undefined`. */
  settled: () => AttemptResult | undefined;
}>;

/**
 * `'•'` once per character, for logs: `redact('1234') === '••••'`.
 *
 * @example
 * log.info({ account: redact(value) }, 'account number collected');
 */
export function redact(value: string): string {
  return '•'.repeat(value.length);
}

/**
 * True when `digits` (0-9 only, at least 2) passes the Luhn (mod 10) checksum
 * used by payment card numbers.
 *
 * @example
 * luhnValid('4539578763621486'); // true
 * luhnValid('4539578763621487'); // false
 */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A `collected` result whose JSON and `util.inspect` forms show only `masked`. */
export function collected(value: string): Collected {
  const masked = redact(value);
  const safe = { status: 'collected', value: masked, masked } as const;
  const result: Collected = { status: 'collected', value, masked };
  // Non-enumerable, so `toEqual` and spreads see only the three data fields.
  Object.defineProperty(result, 'toJSON', { value: () => safe });
  Object.defineProperty(result, inspect.custom, { value: () => safe });
  return Object.freeze(result);
}

/** Throws a `RangeError` naming the first inconsistent field of `spec`. */
export function checkSpec(spec: DigitSpec): void {
  const int = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!int(spec.minDigits, 0)) throw new RangeError('minDigits must be an integer >= 0');
  if (!int(spec.maxDigits, Math.max(1, spec.minDigits)))
    throw new RangeError('maxDigits must be an integer >= max(1, minDigits)');
  if (!(spec.interDigitTimeoutMs > 0)) throw new RangeError('interDigitTimeoutMs must be > 0');
  if (!(spec.overallTimeoutMs > 0)) throw new RangeError('overallTimeoutMs must be > 0');
  if (!int(spec.maxAttempts, 1)) throw new RangeError('maxAttempts must be an integer >= 1');
  if ((spec.finishKey ?? '#') === (spec.restartKey ?? '*'))
    throw new RangeError('finishKey and restartKey must differ');
}

/**
 * Starts collecting for one prompt: the overall timer starts now, so create
 * the collector when the caller may start typing. `attempt` (1-based) is
 * echoed in failed results.
 *
 * @example
 * const collector = createDigitCollector(
 *   { minDigits: 4, maxDigits: 4, interDigitTimeoutMs: 5_000, overallTimeoutMs: 20_000, maxAttempts: 3 },
 *   systemClock,
 * );
 * room.on(RoomEvent.DtmfReceived, (_code, digit) => collector.press(digit));
 * const result = await collector.result;
 * if (result.status === 'collected') log.info({ pin: result.masked }, 'pin entered');
 */
export function createDigitCollector<Handle>(
  spec: DigitSpec,
  clock: Clock<Handle>,
  attempt = 1,
): DigitCollector {
  checkSpec(spec);
  const finishKey = spec.finishKey ?? '#';
  const restartKey = spec.restartKey ?? '*';
  const finishOnMax = spec.finishOnMaxDigits ?? true;
  // A non-global, non-sticky copy anchored to the whole value: `test()` is then stateless.
  const pattern =
    spec.validate instanceof RegExp
      ? new RegExp(`^(?:${spec.validate.source})$`, spec.validate.flags.replace(/[gy]/g, ''))
      : undefined;

  const { promise, resolve } = Promise.withResolvers<AttemptResult>();
  let outcome: AttemptResult | undefined;
  let digits = '';
  let overflow = false; // a digit arrived beyond maxDigits (only when !finishOnMax)
  let interTimer: { handle: Handle } | undefined;

  const settle = (r: AttemptResult) => {
    if (outcome) return;
    outcome = r;
    clock.clearTimeout(overallTimer);
    if (interTimer) clock.clearTimeout(interTimer.handle);
    interTimer = undefined;
    digits = ''; // drop our copy; only the result holds the value now
    resolve(r);
  };

  const finish = () => {
    const reason = check(digits);
    settle(reason ? { status: 'invalid', reason, attempt } : collected(digits));
  };

  const check = (value: string): InvalidReason | undefined => {
    if (overflow) return 'too_long';
    if (value.length < spec.minDigits) return 'too_short';
    if (pattern && !pattern.test(value)) return 'pattern';
    if (spec.validate === 'luhn' && !luhnValid(value)) return 'luhn';
    return undefined;
  };

  const armInterDigit = () => {
    if (interTimer) clock.clearTimeout(interTimer.handle);
    interTimer = {
      handle: clock.setTimeout(() => {
        interTimer = undefined;
        if (digits.length >= spec.minDigits || overflow) finish();
        else settle({ status: 'timeout', kind: 'inter_digit', attempt });
      }, spec.interDigitTimeoutMs),
    };
  };

  const overallTimer = clock.setTimeout(
    () => settle({ status: 'timeout', kind: 'overall', attempt }),
    spec.overallTimeoutMs,
  );

  const press = (key: string) => {
    if (outcome || !/^[0-9*#]$/.test(key)) return;
    if (key === finishKey) return finish();
    if (key === restartKey) {
      digits = '';
      overflow = false;
      if (interTimer) clock.clearTimeout(interTimer.handle);
      interTimer = undefined; // back to waiting for a first key; the overall timer keeps running
      return;
    }
    if (digits.length < spec.maxDigits) digits += key;
    else overflow = true;
    if (finishOnMax && digits.length === spec.maxDigits) return finish();
    armInterDigit();
  };

  return Object.freeze({ press, result: promise, settled: () => outcome });
}
