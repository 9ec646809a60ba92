/**
 * How full a worker is, as agents-js asks through `loadFunc`: 1.0 or more
 * means "send no more calls". Counted in calls, since that is what a voice
 * worker's capacity is, with an optional CPU guard (the container's CPU use
 * against its limit, else the node's: worker/cpu-use.ts). A full worker is
 * skipped by livekit-server, which does not retry later: capacity must be set
 * so that some worker always has room (scale on active calls).
 */

/**
 * CPU one call costs a worker, in cores, for sizing: its job process (the
 * framework's audio pipeline on the JavaScript thread, WebRTC's threads,
 * Silero), its share of the inference process, and its start. Measured with
 * `make bench` on the cloud-shaped voice with the worker alone on one core
 * (`BENCH_WORKER_CPUS=1`, the stack and callers on the other; 2-core Xeon,
 * 2026-12-03, medians of 3 runs, docs/benchmark.md): a talking call 0.145
 * to 0.153 of a core at 4 to 6 callers, its job process's start 0.46 to
 * 0.51 s of CPU, about 0.01 of a core over a 45 s call. The core carried 5
 * talking callers within the answer target (answer p95 1.11 s, no audio
 * gap in the median run) and not 6 (2.23 s: the sixth needs a process
 * start beyond the warm pool): 0.16 a call fills {@link CALL_CPU_BUDGET} of
 * one core at 5. More cores are taken to scale linearly (each call is its
 * own process); this 2-core machine cannot give a worker two cores of its own.
 */
export const CALL_CPU_CORES = 0.16;

/** Share of the worker's cores calls may use, leaving room for call starts and bursts. */
export const CALL_CPU_BUDGET = 0.8;

/** CPU use (0-1, worker/cpu-use.ts) at which a worker reports itself full by default. */
export const CPU_LOAD_LIMIT = 0.9;

/** Warm job processes a worker keeps by default at most: each idle one costs about 1% of a core and 150 MB. */
export const MAX_DEFAULT_WARM_PROCESSES = 4;

/**
 * Calls a worker on `cores` CPUs takes by default: as many as fit in
 * {@link CALL_CPU_BUDGET} of them at the measured {@link CALL_CPU_CORES} each,
 * at least one.
 *
 * @example
 * defaultMaxCalls(1); // 5
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
  /** livekit-server's target load: the fill is reported scaled to it ({@link reportedLoad}). */
  serverTargetLoad: number;
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

/**
 * The load at which livekit-server stops offering a worker jobs: its
 * `agents.target_load`, 0.7 unless configured (livekit-server v1.13.5,
 * pkg/agent/config.go). A worker's claim on a job is `target_load - load`,
 * and one at or past it gets none: a worker reporting its fill (calls /
 * maxCalls) is offered no call past 70% of maxCalls (3 of 4, 4 of 5; a
 * burst between two load reports got more). The fill is reported scaled to
 * it instead, so a worker is offered calls until it holds maxCalls.
 */
export const SERVER_TARGET_LOAD = 0.7;

/**
 * The load to report to livekit-server for a fill (0-1, {@link workerLoad}).
 *
 * @example
 * reportedLoad(4 / 5); // 0.56: still offered calls
 * reportedLoad(5 / 5); // 0.7: full
 */
export function reportedLoad(fill: number, targetLoad = SERVER_TARGET_LOAD): number {
  return fill * targetLoad;
}
