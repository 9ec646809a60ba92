import { describe, expect, it } from 'vitest';
import { burst, poisson, seededRandom } from './arrivals.ts';

describe('burst', () => {
  it('spaces N callers evenly at the rate, the first at once', () => {
    expect(burst(4, 2)).toEqual([0, 500, 1000, 1500]);
    expect(burst(3, 3)).toEqual([0, 333, 667]);
    expect(burst(1, 2)).toEqual([0]);
    expect(burst(0, 2)).toEqual([]);
  });

  it('refuses a fractional or negative count and a rate that is not positive', () => {
    expect(() => burst(1.5, 2)).toThrow(RangeError);
    expect(() => burst(-1, 2)).toThrow(RangeError);
    expect(() => burst(3, 0)).toThrow(RangeError);
  });
});

describe('poisson', () => {
  it('is the same sequence for the same seed and another for another seed', () => {
    expect(poisson(0.5, 120, 7)).toEqual(poisson(0.5, 120, 7));
    expect(poisson(0.5, 120, 7)).not.toEqual(poisson(0.5, 120, 8));
  });

  it('keeps offsets ascending inside the window', () => {
    const offsets = poisson(2, 30, 3);
    expect(
      offsets.every((t, i) => t >= 0 && t < 30_000 && (i === 0 || t >= (offsets[i - 1] ?? 0))),
    ).toBe(true);
  });

  it('averages the asked rate over a long window', () => {
    // 1 caller/s for 10 000 s: the count is within a few standard deviations (100) of 10 000.
    const count = poisson(1, 10_000, 11).length;
    expect(count).toBeGreaterThan(9_500);
    expect(count).toBeLessThan(10_500);
  });

  it('refuses a rate or duration that is not positive', () => {
    expect(() => poisson(0, 10, 1)).toThrow(RangeError);
    expect(() => poisson(1, 0, 1)).toThrow(RangeError);
  });
});

describe('seededRandom', () => {
  it('draws uniformly in [0, 1)', () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 10_000 }, random);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});
