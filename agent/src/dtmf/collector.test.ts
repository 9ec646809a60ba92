import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collected, createDigitCollector, luhnValid, redact, type DigitSpec } from './collector.ts';
import { ManualClock } from './manual-clock.ts';

const spec = (over: Partial<DigitSpec> = {}): DigitSpec => ({
  minDigits: 4,
  maxDigits: 4,
  interDigitTimeoutMs: 3_000,
  overallTimeoutMs: 20_000,
  maxAttempts: 3,
  ...over,
});

function start(over: Partial<DigitSpec> = {}, attempt = 1) {
  const clock = new ManualClock();
  const collector = createDigitCollector(spec(over), clock, attempt);
  const type = (keys: string) => [...keys].forEach((k) => collector.press(k));
  return { clock, collector, type };
}

describe('createDigitCollector', () => {
  it('collects maxDigits digits and finishes at once, clearing its timers', async () => {
    const { clock, collector, type } = start();
    type('1234');
    await expect(collector.result).resolves.toEqual({
      status: 'collected',
      value: '1234',
      masked: '••••',
    });
    expect(clock.pending).toBe(0);
  });

  it('finishes early on #', async () => {
    const { collector, type } = start({ minDigits: 2, maxDigits: 6 });
    type('987#');
    expect((await collector.result).status).toBe('collected');
    expect(collector.settled()).toMatchObject({ value: '987' });
  });

  it('# before minDigits is too_short', async () => {
    const { collector, type } = start({}, 2);
    type('12#');
    await expect(collector.result).resolves.toEqual({
      status: 'invalid',
      reason: 'too_short',
      attempt: 2,
    });
  });

  it('* clears what was typed and starts again', async () => {
    const { clock, collector, type } = start({ minDigits: 1, maxDigits: 6 });
    type('999*');
    clock.advance(10_000); // no inter-digit timer after a restart: waiting for a first key again
    expect(collector.settled()).toBeUndefined();
    type('12#');
    expect(await collector.result).toMatchObject({ status: 'collected', value: '12' });
  });

  it('honours swapped finish and restart keys', async () => {
    const { collector, type } = start({
      minDigits: 1,
      maxDigits: 6,
      finishKey: '*',
      restartKey: '#',
    });
    type('55#7*');
    expect(await collector.result).toMatchObject({ value: '7' });
  });

  it('inter-digit timeout with enough digits finishes with what was typed', async () => {
    const { clock, collector, type } = start({ minDigits: 3, maxDigits: 6 });
    type('123');
    clock.advance(2_999);
    expect(collector.settled()).toBeUndefined();
    clock.advance(1);
    expect(await collector.result).toMatchObject({ status: 'collected', value: '123' });
  });

  it('each key restarts the inter-digit timer', async () => {
    const { clock, collector, type } = start({ minDigits: 3, maxDigits: 6 });
    type('1');
    clock.advance(2_000);
    type('2');
    clock.advance(2_000);
    type('3');
    clock.advance(2_000);
    expect(collector.settled()).toBeUndefined();
    clock.advance(1_000);
    expect(await collector.result).toMatchObject({ value: '123' });
  });

  it('inter-digit timeout with too few digits is a timeout', async () => {
    const { clock, collector, type } = start();
    type('12');
    clock.advance(3_000);
    await expect(collector.result).resolves.toEqual({
      status: 'timeout',
      kind: 'inter_digit',
      attempt: 1,
    });
    expect(clock.pending).toBe(0);
  });

  it('overall timeout with no keys, and despite * restarts', async () => {
    const silent = start();
    silent.clock.advance(20_000);
    await expect(silent.collector.result).resolves.toEqual({
      status: 'timeout',
      kind: 'overall',
      attempt: 1,
    });

    const { clock, collector, type } = start();
    for (let i = 0; i < 10; i++) {
      type('12*');
      clock.advance(2_000);
    }
    expect(await collector.result).toMatchObject({ status: 'timeout', kind: 'overall' });
    expect(clock.pending).toBe(0);
  });

  it('too_long when over-typing is caught instead of truncated', async () => {
    const { clock, collector, type } = start({ finishOnMaxDigits: false });
    type('12345');
    clock.advance(3_000);
    expect(await collector.result).toEqual({ status: 'invalid', reason: 'too_long', attempt: 1 });

    const byHash = start({ finishOnMaxDigits: false });
    byHash.type('123456#');
    expect(await byHash.collector.result).toMatchObject({ reason: 'too_long' });
  });

  it('pattern mismatch, and a match against the whole value', async () => {
    const bad = start({ minDigits: 1, maxDigits: 6, validate: /[1-9]\d{3}/g });
    bad.type('0123#');
    expect(await bad.collector.result).toEqual({
      status: 'invalid',
      reason: 'pattern',
      attempt: 1,
    });

    const partial = start({ minDigits: 1, maxDigits: 6, validate: /[1-9]\d{3}/g });
    partial.type('12345#'); // contains a match, but the whole value must match
    expect(await partial.collector.result).toMatchObject({ reason: 'pattern' });

    const good = start({ minDigits: 1, maxDigits: 6, validate: /[1-9]\d{3}/g });
    good.type('1234#');
    expect(await good.collector.result).toMatchObject({ status: 'collected', value: '1234' });
  });

  it('Luhn: a valid card number is collected, an invalid one is rejected', async () => {
    const card = { minDigits: 16, maxDigits: 16, validate: 'luhn' } as const;
    const ok = start(card);
    ok.type('4539578763621486');
    expect(await ok.collector.result).toMatchObject({
      status: 'collected',
      value: '4539578763621486',
    });

    const bad = start(card);
    bad.type('4539578763621487');
    expect(await bad.collector.result).toEqual({ status: 'invalid', reason: 'luhn', attempt: 1 });
  });

  it('ignores keys that are not 0-9, * or #, and keys after the result', async () => {
    const { collector, type } = start();
    type('1a2 B3.x-4');
    expect(await collector.result).toMatchObject({ value: '1234' });
    collector.press('5');
    collector.press('#');
    expect(collector.settled()).toMatchObject({ value: '1234' });
  });

  it('rejects inconsistent specs', () => {
    const clock = new ManualClock();
    expect(() => createDigitCollector(spec({ maxDigits: 3 }), clock)).toThrow(RangeError);
    expect(() => createDigitCollector(spec({ finishKey: '*' }), clock)).toThrow(/differ/);
    expect(() => createDigitCollector(spec({ maxAttempts: 0 }), clock)).toThrow(RangeError);
    expect(() => createDigitCollector(spec({ overallTimeoutMs: 0 }), clock)).toThrow(RangeError);
  });
});

describe('luhnValid', () => {
  it('checks the mod-10 checksum', () => {
    expect(luhnValid('4539578763621486')).toBe(true);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('4539 5787')).toBe(false);
    expect(luhnValid('0')).toBe(false);
  });
});

describe('masking', () => {
  it('redact and masked never contain digits', async () => {
    expect(redact('4539578763621486')).toBe('•'.repeat(16));
    const { collector, type } = start({ minDigits: 16, maxDigits: 16, validate: 'luhn' });
    type('4539578763621486');
    const result = await collector.result;
    if (result.status !== 'collected') throw new Error(`expected collected, got ${result.status}`);
    expect(result.masked).not.toMatch(/[0-9]/);
    expect(result.value).toBe('4539578763621486');
  });

  it('JSON and inspect forms of a collected result show only the mask', () => {
    const result = collected('90210');
    expect(JSON.stringify(result)).not.toMatch(/[0-9]/);
    expect(JSON.stringify({ result })).toContain('•••••');
    expect(inspect(result)).not.toMatch(/[0-9]/);
    expect(inspect({ nested: result })).not.toMatch(/[0-9]/);
    expect(`${JSON.stringify(result)}`).not.toContain('90210');
  });
});
