/**
 * How full a worker is, as agents-js asks through `loadFunc`: 1.0 or more
 * means "send no more calls". Counted in calls, since that is what a voice
 * worker's capacity is, with an optional host CPU guard. A full worker is
 * skipped by livekit-server, which does not retry later: capacity must be set
 * so that some worker always has room (scale on active calls).
 */
import { cpus } from 'node:os';

/**
 * CPU one call costs a worker, in cores, for sizing: its job process (the
 * framework's audio pipeline on the JS thread, WebRTC's threads, Silero),
 * its share of the inference process, and its start. Measured with `make
 * bench` on the cloud-shaped voice, 2026-12-02 (2-core EPYC): a talking call
 * 0.23 to 0.24 of a core at 4 to 12 callers, and each call's job process
 * start another 1.1 to 1.7 s of CPU, which the warm pool's refill spends
 * during a burst (docs/benchmark.md). At 8 callers on 2 cores answers
 * already took up to 19 s, so the figure keeps the start's share in. Since
 * then a start costs 0.4 to 0.8 s (worker/job-bundle.ts) and 8 callers were
 * answered within 3 s (a 2-core Xeon, 2026-12-02); the figure is not yet
 * re-derived from repeated runs.
 */
export const CALL_CPU_CORES = 0.35;

/** Share of the worker's cores calls may use, leaving room for call starts and bursts. */
export const CALL_CPU_BUDGET = 0.8;

/** Warm job processes a worker keeps by default at most: each idle one costs about 1% of a core and 150 MB. */
export const MAX_DEFAULT_WARM_PROCESSES = 4;

/**
 * Calls a worker on `cores` CPUs takes by default: as many as fit in
 * {@link CALL_CPU_BUDGET} of them at the measured {@link CALL_CPU_CORES} each,
 * at least one.
 *
 * @example
 * defaultMaxCalls(2); // 4
 */
export function defaultMaxCalls(cores: number): number {
  return Math.max(1, Math.floor((cores * CALL_CPU_BUDGET) / CALL_CPU_CORES + 1e-9));
}

/**
 * Warm job processes by default: enough to answer a burst up to capacity
 * without a process start, at most {@link MAX_DEFAULT_WARM_PROCESSES}.
 *
 * @example
 * defaultWarmProcesses(8); // 4
 */
export function defaultWarmProcesses(maxCalls: number): number {
  return Math.min(maxCalls, MAX_DEFAULT_WARM_PROCESSES);
}

export type CapacityPolicy = Readonly<{
  /** Calls one worker takes at most. */
  maxCalls: number;
  /** Host CPU use (0-1) at which the worker reports full; 0 disables the guard. */
  cpuLimit: number;
  /** Job processes the worker keeps started ahead of calls. */
  warmProcesses: number;
  /** How long a call past `maxCalls` waits for a place before it is refused (worker/admission.ts). */
  holdMs: number;
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
