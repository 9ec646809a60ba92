/**
 * Samples the CPU and memory of the systems under test from /proc while a
 * load runs: the agent worker's process tree (worker, job processes with
 * their children, inference and other helper processes; see classify.ts),
 * livekit-sip and livekit-server. Each tick reads the stat line of every
 * process already tracked and of processes not seen before (to find new
 * descendants by their parent); processes found unrelated are not read
 * again. PSS (smaps_rollup, which makes the kernel walk every mapping) is
 * read on a slower cadence. Reads are synchronous so the sampler's own CPU
 * can be measured on its thread.
 */
import { classifyProcesses, type ProcessGroup } from './classify.ts';
import { endJobStart, observeJobStart, trackJobStart, type JobStartTracker } from './job-start.ts';
import {
  clockTicksPerSecond,
  listPids,
  readCmdline,
  readProcStat,
  readPssKb,
  type ProcRoot,
  type ProcStat,
} from './proc.ts';
import type { ProcessGroupUsage, ResourceUsage } from '../measurements.ts';

export type ResourceSamplerOptions = Readonly<{
  workerPid: number;
  livekitSipPid: number;
  livekitServerPid: number;
  /** Tick period. Default 500 ms. */
  intervalMs?: number;
  /**
   * Shortest PSS period. Default 2000 ms. Reading smaps_rollup costs about 1 ms of kernel time
   * per large process, so rounds are spaced further apart when needed to keep them under
   * `pssBudgetCores` of a core (default 0.01).
   */
  pssIntervalMs?: number;
  pssBudgetCores?: number;
  /** Calls talking right now, sampled each tick and integrated into call-seconds. */
  talkingCalls: () => number;
  /** Where /proc is (tests). */
  procRoot?: ProcRoot;
}>;

export type ResourceSampler = Readonly<{ stop: () => Promise<ResourceUsage> }>;

const GROUPS: readonly ProcessGroup[] = [
  'worker',
  'jobs',
  'inference',
  'livekitSip',
  'livekitServer',
];

type Tracked = {
  pid: number;
  startTicks: number;
  ppid: number;
  cmdline: readonly string[];
  /** Cumulative utime+stime at the last tick; undefined before the first reading. */
  cpuTicks: number | undefined;
  group: ProcessGroup | undefined;
  jobRoot: number | undefined;
  /** Present at the first tick: its CPU before the window is not counted. */
  baseline: boolean;
};

/**
 * @example
 * const sampler = startResourceSampler({ workerPid, livekitSipPid, livekitServerPid, talkingCalls: () => talking });
 * // ... run the load ...
 * const usage = await sampler.stop();
 * const cpuPerTalkingCall = (usage.jobs.cpuSeconds + usage.worker.cpuSeconds) / usage.talkingCallSeconds;
 */
export function startResourceSampler(opts: ResourceSamplerOptions): ResourceSampler {
  const root = opts.procRoot ?? '/proc';
  const intervalMs = opts.intervalMs ?? 500;
  const pssIntervalMs = opts.pssIntervalMs ?? 2000;
  const pssBudgetCores = opts.pssBudgetCores ?? 0.01;
  let nextPssAt = 0;
  const hz = clockTicksPerSecond();
  const roots = {
    workerPid: opts.workerPid,
    livekitSipPid: opts.livekitSipPid,
    livekitServerPid: opts.livekitServerPid,
  };
  const rootPids = new Set([roots.workerPid, roots.livekitSipPid, roots.livekitServerPid]);

  const tracked = new Map<number, Tracked>();
  const unrelated = new Set<number>();
  const cpuTicks = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<ProcessGroup, number>;
  const peakPssKb = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<ProcessGroup, number>;
  /** Every process identity (pid:start) seen, with its last group. */
  const seen = new Map<string, ProcessGroup>();
  const jobCpuTicks = new Map<string, number>();
  const jobStarts = new Map<string, JobStartTracker>();
  const jobStartCpu: number[] = [];

  const startedAt = Date.now();
  let lastTickAt = startedAt;
  let talking = 0;
  let talkingCallMs = 0;
  let samplerMs = 0;
  let ticks = 0;

  const jobKey = (p: Tracked): string | undefined => {
    if (p.jobRoot === undefined) return undefined;
    const jobProc = tracked.get(p.jobRoot);
    return jobProc ? `${jobProc.pid}:${jobProc.startTicks}` : undefined;
  };

  const tick = (): void => {
    const cpuBefore = process.threadCpuUsage();
    const now = Date.now();
    const first = ticks === 0;
    ticks++;
    talkingCallMs += talking * (now - lastTickAt);
    lastTickAt = now;
    try {
      talking = Math.max(0, opts.talkingCalls());
    } catch {
      talking = 0;
    }

    // Discover: stat of tracked and never-seen processes; forget the dead.
    const alive = listPids(root);
    const aliveSet = new Set(alive);
    for (const pid of unrelated) if (!aliveSet.has(pid)) unrelated.delete(pid);
    const stats = new Map<number, ProcStat>();
    for (const pid of alive) {
      if (unrelated.has(pid)) continue;
      const st = readProcStat(pid, root);
      if (st) stats.set(pid, st);
    }
    for (const [pid, p] of tracked) {
      if (stats.get(pid)?.startTicks === p.startTicks) continue;
      // Gone (or its pid reused): a job process that never went idle started until now.
      const js = jobStarts.get(`${p.pid}:${p.startTicks}`);
      if (js && js.startCpuSeconds === undefined) jobStartCpu.push(endJobStart(js));
      tracked.delete(pid);
    }

    // Membership: a new process belongs when its parent chain reaches a root or a tracked one.
    const belongs = new Map<number, boolean>();
    const member = (pid: number, depth: number): boolean => {
      if (tracked.has(pid)) return true;
      const known = belongs.get(pid);
      if (known !== undefined) return known;
      const st = stats.get(pid);
      let result = false;
      if (st && rootPids.has(pid)) result = true;
      else if (st && depth < 64 && st.ppid > 1 && st.ppid !== pid)
        result = member(st.ppid, depth + 1);
      belongs.set(pid, result);
      return result;
    };
    for (const [pid, st] of stats) {
      if (tracked.has(pid)) continue;
      if (!member(pid, 0)) {
        unrelated.add(pid);
        continue;
      }
      tracked.set(pid, {
        pid,
        startTicks: st.startTicks,
        ppid: st.ppid,
        cmdline: readCmdline(pid, root) ?? [],
        cpuTicks: undefined,
        group: undefined,
        jobRoot: undefined,
        baseline: first,
      });
    }

    // A forked child shows its parent's command line until it execs: look again.
    for (const p of tracked.values()) {
      const parent = tracked.get(p.ppid);
      if (p.ppid === roots.workerPid && parent && sameArgs(p.cmdline, parent.cmdline))
        p.cmdline = readCmdline(p.pid, root) ?? p.cmdline;
    }
    const classes = classifyProcesses(tracked, roots);

    // CPU: deltas since the last tick; a process born in the window counts from its birth.
    for (const p of tracked.values()) {
      const st = stats.get(p.pid);
      const c = classes.get(p.pid);
      if (!st || !c) continue;
      p.group = c.group;
      p.jobRoot = c.jobRoot;
      seen.set(`${p.pid}:${p.startTicks}`, c.group);
      const total = st.utimeTicks + st.stimeTicks;
      const counted = p.cpuTicks === undefined ? (p.baseline ? 0 : total) : total - p.cpuTicks;
      p.cpuTicks = total;
      if (counted <= 0) continue;
      cpuTicks[c.group] += counted;
      const key = jobKey(p);
      if (key) jobCpuTicks.set(key, (jobCpuTicks.get(key) ?? 0) + counted);
    }

    // Job start: every job process that appeared during the window.
    for (const p of tracked.values()) {
      if (p.group !== 'jobs' || p.jobRoot !== p.pid || p.baseline) continue;
      const key = `${p.pid}:${p.startTicks}`;
      const cpuSeconds = (jobCpuTicks.get(key) ?? 0) / hz;
      const js = jobStarts.get(key);
      if (!js) {
        jobStarts.set(key, trackJobStart(now, cpuSeconds));
        continue;
      }
      if (js.startCpuSeconds !== undefined) continue;
      const done = observeJobStart(js, now, cpuSeconds);
      if (done !== undefined) jobStartCpu.push(done);
    }

    if (now >= nextPssAt) {
      const pssBefore = process.threadCpuUsage();
      const pss = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<ProcessGroup, number>;
      for (const p of tracked.values()) if (p.group) pss[p.group] += readPssKb(p.pid, root) ?? 0;
      for (const g of GROUPS) peakPssKb[g] = Math.max(peakPssKb[g], pss[g]);
      const costMs = cpuMs(process.threadCpuUsage(pssBefore));
      nextPssAt = now + Math.max(pssIntervalMs, costMs / pssBudgetCores) - intervalMs / 2;
    }
    samplerMs += cpuMs(process.threadCpuUsage(cpuBefore));
  };

  tick();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    // Absolute schedule: a late tick does not push the later ones back.
    const elapsed = Date.now() - startedAt;
    const next = (Math.floor(elapsed / intervalMs) + 1) * intervalMs;
    timer = setTimeout(() => {
      tick();
      schedule();
    }, next - elapsed);
    timer.unref();
  };
  schedule();

  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      tick();
      const windowSeconds = (Date.now() - startedAt) / 1000;
      const usage = (g: ProcessGroup): ProcessGroupUsage => ({
        cpuSeconds: round3(cpuTicks[g] / hz),
        peakPssMb: round3(peakPssKb[g] / 1024),
        processes: [...seen.values()].filter((s) => s === g).length,
      });
      return {
        windowSeconds: round3(windowSeconds),
        worker: usage('worker'),
        jobs: usage('jobs'),
        inference: usage('inference'),
        livekitSip: usage('livekitSip'),
        livekitServer: usage('livekitServer'),
        jobStartCpuSeconds: jobStartCpu.map(round3),
        talkingCallSeconds: round3(talkingCallMs / 1000),
        samplerCpuSeconds: round3(samplerMs / 1000),
      };
    },
  };
}

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function sameArgs(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
