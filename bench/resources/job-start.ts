/**
 * CPU a job process spends starting: from its first sighting until its CPU
 * rate first falls under 5% of a core over at least a 1 s window (it is up,
 * warm and idle), or for at most 15 s (a process that starts straight into a
 * call never goes idle). The CPU it had used before it was first seen counts
 * too: a process is first seen at most one tick after it was forked.
 */

export type JobStartOptions = Readonly<{
  /** CPU rate, in cores, under which the process counts as idle. */
  idleCores?: number;
  windowMs?: number;
  maxMs?: number;
}>;

type Sample = Readonly<{ timeMs: number; cpuSeconds: number }>;

export type JobStartTracker = {
  readonly firstSeenMs: number;
  readonly samples: Sample[];
  /** CPU seconds used starting, once known. */
  startCpuSeconds: number | undefined;
};

/**
 * @example
 * const t = trackJobStart(Date.now(), 0.12);
 */
export function trackJobStart(timeMs: number, cpuSeconds: number): JobStartTracker {
  return { firstSeenMs: timeMs, samples: [{ timeMs, cpuSeconds }], startCpuSeconds: undefined };
}

/**
 * Adds a sample of the job's cumulative CPU (its own and its children's) and settles the
 * start cost when the rule is met. Returns the start CPU once known.
 *
 * @example
 * observeJobStart(tracker, Date.now(), cumulativeCpuSeconds); // undefined while still starting
 */
export function observeJobStart(
  tracker: JobStartTracker,
  timeMs: number,
  cpuSeconds: number,
  opts: JobStartOptions = {},
): number | undefined {
  if (tracker.startCpuSeconds !== undefined) return tracker.startCpuSeconds;
  const idleCores = opts.idleCores ?? 0.05;
  const windowMs = opts.windowMs ?? 1000;
  const maxMs = opts.maxMs ?? 15_000;
  let windowStart: Sample | undefined;
  for (const s of tracker.samples) if (s.timeMs <= timeMs - windowMs) windowStart = s;
  tracker.samples.push({ timeMs, cpuSeconds });
  if (windowStart) {
    const rate = (cpuSeconds - windowStart.cpuSeconds) / ((timeMs - windowStart.timeMs) / 1000);
    if (rate < idleCores) tracker.startCpuSeconds = windowStart.cpuSeconds;
  }
  if (tracker.startCpuSeconds === undefined && timeMs - tracker.firstSeenMs >= maxMs)
    tracker.startCpuSeconds = cpuSeconds;
  // Older samples than the window's start are never needed again.
  while (tracker.samples.length > 2 && (tracker.samples[1]?.timeMs ?? 0) <= timeMs - windowMs)
    tracker.samples.shift();
  return tracker.startCpuSeconds;
}

/**
 * The process ended before it went idle: its start cost is what it used.
 *
 * @example
 * endJobStart(tracker); // the last cumulative CPU seen
 */
export function endJobStart(tracker: JobStartTracker): number {
  tracker.startCpuSeconds ??= tracker.samples.at(-1)?.cpuSeconds ?? 0;
  return tracker.startCpuSeconds;
}
