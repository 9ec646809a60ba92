import { describe, expect, it } from 'vitest';
import { endJobStart, observeJobStart, trackJobStart } from './job-start.ts';

/** Feeds cumulative CPU samples every 500 ms; returns the settled start CPU. */
function feed(cpuAt: (ms: number) => number, untilMs: number): number | undefined {
  const t = trackJobStart(0, cpuAt(0));
  let done: number | undefined;
  for (let ms = 500; ms <= untilMs && done === undefined; ms += 500)
    done = observeJobStart(t, ms, cpuAt(ms));
  return done;
}

describe('job start CPU', () => {
  it('is the CPU used until the rate first falls under 5% of a core over a second', () => {
    // One core for 2 s (module loading, model warm-up), then idle.
    expect(feed((ms) => Math.min(ms, 2000) / 1000, 10_000)).toBe(2);
  });

  it('counts a trickle under 5% as idle, and keeps the CPU used before the first sighting', () => {
    expect(feed((ms) => 0.4 + ms * 0.00002, 10_000)).toBeCloseTo(0.4, 5);
  });

  it('stops counting after 15 s for a process that never goes idle', () => {
    expect(feed((ms) => ms * 0.0005, 30_000)).toBe(7.5);
  });

  it('takes what a process that ended before going idle used', () => {
    const t = trackJobStart(0, 0.1);
    observeJobStart(t, 500, 0.6);
    expect(endJobStart(t)).toBe(0.6);
  });
});
