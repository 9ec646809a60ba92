/**
 * CPU pinning for `BENCH_WORKER_CPUS`: the worker under test (its main
 * process and every process it starts, job processes included) on the CPUs
 * given, and everything else of the run (livekit-server, livekit-sip,
 * dispatch, the stand-ins, the callers, the capture) on the others. It
 * stands in for a worker pod with its own cores, which a one-machine run
 * otherwise cannot show: the callers and the stack share the worker's cores.
 * Children inherit their parent's CPUs, so processes started later follow.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { listPids, readProcStat } from './proc.ts';

export type CpuSplit = Readonly<{ worker: readonly number[]; rest: readonly number[] }>;

/**
 * The split a `BENCH_WORKER_CPUS` value asks for (`1`, `2,3`, `1-3`); undefined when unset.
 *
 * @throws when the list names no CPU, a CPU this machine lacks, or all of them.
 * @example
 * cpuSplit('1', 2); // { worker: [1], rest: [0] }
 */
export function cpuSplit(
  value: string | undefined,
  cores = availableParallelism(),
): CpuSplit | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const worker = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`BENCH_WORKER_CPUS: "${part}" is not a CPU number or range`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let c = from; c <= to; c++) worker.add(c);
  }
  const cpus = [...worker].sort((a, b) => a - b);
  if (cpus.length === 0 || cpus.some((c) => c >= cores))
    throw new Error(`BENCH_WORKER_CPUS: this machine has CPUs 0-${cores - 1}, not ${value}`);
  const rest = Array.from({ length: cores }, (_, c) => c).filter((c) => !worker.has(c));
  if (rest.length === 0)
    throw new Error('BENCH_WORKER_CPUS: leave at least one CPU for the stack and the callers');
  return { worker: cpus, rest };
}

/**
 * Pins this process's whole tree to `split.rest`, then the worker's tree to
 * `split.worker` (every thread of every process).
 *
 * @example
 * pinWorker(cpuSplit('1')!, workerPid);
 */
export function pinWorker(split: CpuSplit, workerPid: number): void {
  const workerTree = new Set([workerPid, ...descendants(workerPid)]);
  const others = [process.pid, ...descendants(process.pid)].filter((p) => !workerTree.has(p));
  for (const pid of others) pin(pid, split.rest);
  for (const pid of workerTree) pin(pid, split.worker);
}

function pin(pid: number, cpus: readonly number[]): void {
  const r = spawnSync(
    'taskset',
    ['--all-tasks', '--cpu-list', '--pid', cpus.join(','), String(pid)],
    {
      encoding: 'utf8',
    },
  );
  // A process that exited meanwhile is no longer ours to pin.
  if (r.status !== 0 && !/No such process|failed to get pid/i.test(r.stderr))
    throw new Error(`taskset on ${pid} failed: ${r.stderr.trim() || r.error?.message}`);
}

/** Every process below `root`, from /proc's parent links. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
