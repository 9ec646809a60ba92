/**
 * Order statistics for the report. Percentiles interpolate linearly between
 * order statistics (the same definition numpy's default uses), so small
 * samples give stable, comparable figures.
 */

/** A distribution summary; every figure undefined for an empty sample. */
export type Dist = Readonly<{
  n: number;
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
}>;

/**
 * @example
 * percentile([1, 2, 3, 4], 0.5); // 2.5
 */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * @example
 * dist([100, 200, 300]); // { n: 3, p50: 200, p95: 290, max: 300 }
 */
export function dist(values: readonly number[]): Dist {
  return {
    n: values.length,
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    max: values.length === 0 ? undefined : Math.max(...values),
  };
}

/**
 * Median of the defined values (repetitions of one point); undefined when none is.
 *
 * @example
 * median([3, undefined, 1, 2]); // 2
 */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return percentile(defined, 0.5);
}

/**
 * ours/peer, undefined when either side is missing or the peer's is zero.
 *
 * @example
 * ratio(300, 600); // 0.5
 */
export function ratio(ours: number | undefined, peer: number | undefined): number | undefined {
  if (ours === undefined || peer === undefined || peer === 0) return undefined;
  return ours / peer;
}
