import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './backoff.ts';

describe('retryDelayMs', () => {
  const noJitter = () => 0.5;

  it('doubles from 1 s up to 5 min', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 20].map((n) => retryDelayMs(n, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('spreads each delay by ±20 %', () => {
    expect(retryDelayMs(1, () => 0)).toBe(800);
    expect(retryDelayMs(1, () => 0.999_999)).toBe(1200);
    expect(retryDelayMs(20, () => 0)).toBe(240_000);
    expect(retryDelayMs(20, () => 0.999_999)).toBe(360_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(3);
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
  });

  it('gives up after 20 attempts, about an hour of retries', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(20);
    const total = Array.from({ length: 19 }, (_, i) => retryDelayMs(i + 1, noJitter)).reduce(
      (a, b) => a + b,
    );
    expect(total / 60_000).toBeGreaterThan(50);
    expect(total / 60_000).toBeLessThan(70);
  });
});
