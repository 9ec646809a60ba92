/**
 * The re-prompt loop around {@link createDigitCollector}: one prompt and one
 * fresh collector per attempt, until digits are collected or the attempts run out.
 */
import type { AttemptResult, DigitResult } from './collector.ts';

/**
 * One attempt: say the prompt (a re-prompt when `previous` is set, which
 * tells why the last attempt failed), then return a fresh collector's result.
 */
export type AttemptRun = (
  attempt: number,
  previous: Exclude<AttemptResult, { status: 'collected' }> | undefined,
) => Promise<AttemptResult>;

/**
 * Runs `run` for attempts 1..maxAttempts, stopping at the first `collected`.
 * `invalid` and `timeout` results are retried; after `maxAttempts` of them
 * the result is `{ status: 'gave_up', attempts: maxAttempts }`. A rejection
 * from `run` (e.g. the call ended) propagates.
 *
 * @example
 * const result = await collectWithRetries(async (attempt, previous) => {
 *   await session.say(previous ? 'Sorry, let us try again. Enter your PIN.' : 'Enter your PIN.')
 *     .waitForPlayout();
 *   return createDigitCollector(pinSpec, systemClock, attempt).result; // fed by onDtmf
 * }, pinSpec.maxAttempts);
 */
export async function collectWithRetries(
  run: AttemptRun,
  maxAttempts: number,
): Promise<DigitResult> {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('maxAttempts must be an integer >= 1');
  let previous: Exclude<AttemptResult, { status: 'collected' }> | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const result = await run(attempt, previous);
    if (result.status === 'collected') return result;
    previous = result;
  }
  return { status: 'gave_up', attempts: maxAttempts };
}
