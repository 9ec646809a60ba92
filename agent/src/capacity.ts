/**
 * How full a worker is, as agents-js asks through `loadFunc`: 1.0 or more
 * means "send no more calls". Counted in calls, since that is what a voice
 * worker's capacity is, with an optional host CPU guard. A full worker is
 * skipped by livekit-server, which does not retry later: capacity must be set
 * so that some worker always has room (scale on active calls).
 */
import { cpus } from 'node:os';

export type CapacityPolicy = Readonly<{
  /** Calls one worker takes at most. */
  maxCalls: number;
  /** Host CPU use (0-1) at which the worker reports full; 0 disables the guard. */
  cpuLimit: number;
  /** Job processes the worker keeps started ahead of calls. */
  warmProcesses: number;
}>;

/**
 * @example
 * workerLoad(3, 0.5, { maxCalls: 4, cpuLimit: 0 }); // 0.75
 */
export function workerLoad(
  activeCalls: number,
  cpuUse: number,
  policy: Pick<CapacityPolicy, 'maxCalls' | 'cpuLimit'>,
): number {
  const byCalls = activeCalls / policy.maxCalls;
  const byCpu = policy.cpuLimit > 0 ? cpuUse / policy.cpuLimit : 0;
  return Math.max(byCalls, byCpu);
}

/** Host CPU use since the previous call (0-1), from the kernel's per-core counters. */
export function cpuSampler(): () => number {
  let last = snapshot();
  return () => {
    const now = snapshot();
    const busy = now.busy - last.busy;
    const total = now.total - last.total;
    last = now;
    return total > 0 ? busy / total : 0;
  };
}

function snapshot(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const t = times.user + times.nice + times.sys + times.irq + times.idle;
    total += t;
    busy += t - times.idle;
  }
  return { busy, total };
}
