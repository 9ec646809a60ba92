import { describe, expect, it } from 'vitest';
import { keepProvisioned, type KeeperDeps, type ProvisionOutcome } from './keeper.ts';

/** Timers run by hand: `run()` fires the earliest due one. */
function manualTimers() {
  const due: { fn: () => void; ms: number }[] = [];
  return {
    due,
    setTimer: (fn: () => void, ms: number) => {
      due.push({ fn, ms });
      return {};
    },
    async run(): Promise<number | undefined> {
      const next = due.shift();
      if (!next) return undefined;
      next.fn();
      await new Promise((r) => setImmediate(r));
      return next.ms;
    },
  };
}

function keeper(outcomes: (ProvisionOutcome | Error)[], everyMs = 10_000) {
  const timers = manualTimers();
  const seen: string[] = [];
  const deps: KeeperDeps = {
    provision: () => {
      const next = outcomes.shift() ?? 'unchanged';
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    everyMs,
    onResult: (r) => seen.push(`result:${r}`),
    onProvisioned: () => seen.push('provisioned'),
    onFailure: (error, retryInMs) => seen.push(`failed:${error}:${retryInMs}`),
    onRepaired: () => seen.push('repaired'),
    setTimer: timers.setTimer,
  };
  const stop = keepProvisioned(deps);
  return { timers, seen, stop };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('keepProvisioned', () => {
  it('retries with backoff until LiveKit answers, then checks every period', async () => {
    const down = new Error('connect ECONNREFUSED');
    const k = keeper([down, down, 'applied', 'unchanged']);
    await settle();
    expect(await k.timers.run()).toBe(250);
    expect(await k.timers.run()).toBe(500);
    expect(await k.timers.run()).toBe(10_000);
    expect(k.seen).toEqual([
      'result:failed',
      'failed:connect ECONNREFUSED:250',
      'result:failed',
      'failed:connect ECONNREFUSED:500',
      'result:applied',
      'provisioned',
      'result:unchanged',
      'provisioned',
    ]);
    expect(k.timers.due.map((t) => t.ms)).toEqual([10_000]);
  });

  it('repairs LiveKit when a later check finds its configuration gone (a Redis without its data)', async () => {
    const k = keeper(['unchanged', 'applied']);
    await settle();
    await k.timers.run();
    expect(k.seen).toEqual([
      'result:unchanged',
      'provisioned',
      'result:applied',
      'provisioned',
      'repaired',
    ]);
  });

  it('keeps checking through a failed check, one period apart', async () => {
    const k = keeper(['unchanged', new Error('livekit down'), 'unchanged']);
    await settle();
    expect(await k.timers.run()).toBe(10_000);
    expect(k.seen).toContain('failed:livekit down:10000');
    expect(await k.timers.run()).toBe(10_000);
    expect(k.seen.at(-1)).toBe('provisioned');
  });

  it('provisions once and stops when the period is 0', async () => {
    const k = keeper(['applied'], 0);
    await settle();
    expect(k.seen).toEqual(['result:applied', 'provisioned']);
    expect(k.timers.due).toEqual([]);
  });

  it('starts no check once stopped', async () => {
    let calls = 0;
    const timers = manualTimers();
    const stop = keepProvisioned({
      provision: () => Promise.resolve((calls++, 'unchanged')),
      everyMs: 1000,
      onResult: () => {},
      onProvisioned: () => {},
      onFailure: () => {},
      onRepaired: () => {},
      setTimer: timers.setTimer,
    });
    await settle();
    stop();
    await timers.run();
    expect(calls).toBe(1);
  });
});
