import { describe, expect, it } from 'vitest';
import { dist, median, percentile, ratio } from './stats.ts';

describe('report statistics', () => {
  it('interpolates percentiles between order statistics', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([0, 100], 0.95)).toBeCloseTo(95);
  });

  it('summarizes a sample and an empty one', () => {
    expect(dist([100, 200, 300])).toEqual({ n: 3, p50: 200, p95: 290, max: 300 });
    expect(dist([])).toEqual({ n: 0, p50: undefined, p95: undefined, max: undefined });
  });

  it('takes medians over defined repetitions only', () => {
    expect(median([3, undefined, 1, 2])).toBe(2);
    expect(median([undefined])).toBeUndefined();
  });

  it('gives ours/peer ratios only when both sides exist', () => {
    expect(ratio(300, 600)).toBe(0.5);
    expect(ratio(undefined, 600)).toBeUndefined();
    expect(ratio(300, 0)).toBeUndefined();
  });
});
