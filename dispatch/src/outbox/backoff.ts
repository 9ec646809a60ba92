/**
 * When a failed webhook delivery is tried again: exponential backoff with
 * jitter, and when dispatch gives up.
 */

export type RetryPolicy = Readonly<{
  /** Delay after the first failure, milliseconds. */
  baseMs: number;
  factor: number;
  /** Longest delay before jitter, milliseconds. */
  maxMs: number;
  /** Fraction each delay is spread by, both ways (0.2: ±20 %). */
  jitter: number;
  /** Attempts in all; the last failure marks the delivery failed. */
  maxAttempts: number;
}>;

/** 1 s, 2 s, 4 s ... up to 5 min, ±20 %; 20 attempts (about an hour of retries). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseMs: 1000,
  factor: 2,
  maxMs: 5 * 60_000,
  jitter: 0.2,
  maxAttempts: 20,
});

/**
 * Milliseconds to wait after the `failures`-th failed attempt (1 for the first).
 *
 * @param random a number in [0, 1), like Math.random (the default): 0.5 means no jitter.
 * @example
 * retryDelayMs(1, () => 0.5); // 1000
 * retryDelayMs(3, () => 0.5); // 4000
 * retryDelayMs(30, () => 0.5); // 300000
 * retryDelayMs(1, () => 0); // 800
 */
export function retryDelayMs(
  failures: number,
  random: () => number = Math.random,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const exponent = Math.max(0, failures - 1);
  const delay = Math.min(policy.baseMs * policy.factor ** exponent, policy.maxMs);
  return Math.round(delay * (1 + policy.jitter * (2 * random() - 1)));
}
