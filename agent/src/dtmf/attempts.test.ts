import { describe, expect, it } from 'vitest';
import { collectWithRetries, type AttemptRun } from './attempts.ts';
import { createDigitCollector, type DigitCollector, type DigitSpec } from './collector.ts';
import { ManualClock } from './manual-clock.ts';

const pin: DigitSpec = {
  minDigits: 4,
  maxDigits: 4,
  interDigitTimeoutMs: 3_000,
  overallTimeoutMs: 15_000,
  validate: /[0-9]{4}/,
  maxAttempts: 3,
};

/** What the caller does on each attempt, right after the prompt. */
type Caller = (collector: DigitCollector, clock: ManualClock) => void;

/** One prompt through `say` and one fresh collector per attempt, driven by `callers[attempt - 1]`. */
function scripted(callers: Caller[]) {
  const said: string[] = [];
  const clock = new ManualClock();
  const run: AttemptRun = async (attempt, previous) => {
    said.push(previous ? `Sorry (${previous.status}). Enter your PIN.` : 'Enter your PIN.');
    const collector = createDigitCollector(pin, clock, attempt);
    callers[attempt - 1]?.(collector, clock);
    return collector.result;
  };
  return { run, said, clock };
}

const types =
  (keys: string): Caller =>
  (c) =>
    [...keys].forEach((k) => c.press(k));
const silent: Caller = (_c, clock) => clock.advance(pin.overallTimeoutMs);
const tooFew: Caller = (c, clock) => {
  types('12')(c, clock);
  clock.advance(pin.interDigitTimeoutMs);
};

describe('collectWithRetries', () => {
  it('returns the first collected result without re-prompting', async () => {
    const { run, said } = scripted([types('4321')]);
    expect(await collectWithRetries(run, pin.maxAttempts)).toMatchObject({ value: '4321' });
    expect(said).toEqual(['Enter your PIN.']);
  });

  it('re-prompts after an invalid entry and a timeout, then collects', async () => {
    const { run, said, clock } = scripted([types('12#'), silent, types('9876')]);
    expect(await collectWithRetries(run, pin.maxAttempts)).toMatchObject({
      status: 'collected',
      value: '9876',
    });
    expect(said).toEqual([
      'Enter your PIN.',
      'Sorry (invalid). Enter your PIN.',
      'Sorry (timeout). Enter your PIN.',
    ]);
    expect(clock.pending).toBe(0);
  });

  it('gives up after maxAttempts invalid entries or timeouts', async () => {
    const { run, said, clock } = scripted([tooFew, types('1#'), silent]);
    expect(await collectWithRetries(run, pin.maxAttempts)).toEqual({
      status: 'gave_up',
      attempts: 3,
    });
    expect(said).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  it('passes the attempt number to run and on into failed results', async () => {
    const seen: unknown[] = [];
    await collectWithRetries(async (attempt, previous) => {
      seen.push(previous);
      return { status: 'timeout', kind: 'overall', attempt };
    }, 2);
    expect(seen).toEqual([undefined, { status: 'timeout', kind: 'overall', attempt: 1 }]);
  });

  it('rejects a maxAttempts below 1', async () => {
    await expect(
      collectWithRetries(async () => ({ status: 'collected', value: '', masked: '' }), 0),
    ).rejects.toThrow(RangeError);
  });
});
