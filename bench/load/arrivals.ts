/**
 * When callers arrive, as offsets in ms from the start of a run: a burst (N
 * callers at R per second, a queue flushing its overflow) or a steady Poisson
 * load (exponential gaps at a mean rate, seeded so runs compare). How long
 * each call holds is the script's length, not drawn here. Pure.
 */

/**
 * A small seeded PRNG (mulberry32): uniform in [0, 1), same sequence for the same seed.
 *
 * @example
 * const random = seededRandom(7);
 * random(); // 0.0...1.0, the same on every run with seed 7
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` callers arriving at `perSecond` per second, evenly spaced, the first at 0.
 *
 * @throws when `n` is not a non-negative integer or `perSecond` is not positive
 * @example
 * burst(4, 2); // [0, 500, 1000, 1500]
 */
export function burst(n: number, perSecond: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`burst size must be an integer >= 0`);
  if (!(perSecond > 0)) throw new RangeError(`burst rate must be > 0 callers per second`);
  return Array.from({ length: n }, (_, i) => Math.round((i * 1000) / perSecond));
}

/**
 * Poisson arrivals at `ratePerSecond` for `durationSeconds`: exponential gaps
 * from a seeded PRNG, every offset inside [0, duration).
 *
 * @throws when the rate or the duration is not positive
 * @example
 * poisson(0.5, 60, 1); // about 30 offsets, ascending, the same for seed 1 on every run
 */
export function poisson(ratePerSecond: number, durationSeconds: number, seed: number): number[] {
  if (!(ratePerSecond > 0)) throw new RangeError('Poisson rate must be > 0 callers per second');
  if (!(durationSeconds > 0)) throw new RangeError('Poisson duration must be > 0 seconds');
  const random = seededRandom(seed);
  const offsets: number[] = [];
  const endMs = durationSeconds * 1000;
  let t = 0;
  for (;;) {
    // 1 - u is in (0, 1]: the logarithm stays finite.
    t += (-Math.log(1 - random()) / ratePerSecond) * 1000;
    if (t >= endMs) return offsets;
    offsets.push(Math.floor(t));
  }
}
