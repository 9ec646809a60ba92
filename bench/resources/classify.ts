/**
 * Which group a process of the measured systems belongs to, from the process
 * tree and command lines alone. Both frameworks run a job per process:
 *
 * - LiveKit Agents for Node forks each job process from the worker with
 *   `child_process.fork(.../ipc/job_proc_lazy_main.js, [agent])`, and the inference process
 *   (turn detector) likewise with `.../ipc/inference_proc_lazy_main.js`.
 * - LiveKit Agents for Python on Linux uses multiprocessing's `forkserver`: the worker starts
 *   `python -c "from multiprocessing.forkserver import main; ..."` (plus the
 *   `multiprocessing.resource_tracker`), and every job process is forked from the forkserver
 *   without exec, so it shows the forkserver's command line and the forkserver as its parent.
 *   Under the `spawn` context, children run `spawn_main(...) --multiprocessing-fork`. An
 *   inference process there (only when a plugin registers inference runners; the peer's do not)
 *   cannot be told from a job process by command line and counts as one.
 *
 * A job process's own children (a recognizer, a TTS engine) count with the job. Other children
 * of the worker (the inference process, the forkserver, the resource tracker) are `inference`.
 */

export type ProcessGroup = 'worker' | 'jobs' | 'inference' | 'livekitSip' | 'livekitServer';

export type ProcessEntry = Readonly<{ pid: number; ppid: number; cmdline: readonly string[] }>;

export type Classification = Readonly<{
  group: ProcessGroup;
  /** The job process a `jobs` process belongs to (itself, for the job process). */
  jobRoot?: number;
}>;

export type ProcessRoots = Readonly<{
  workerPid: number;
  livekitSipPid: number;
  livekitServerPid: number;
}>;

const has = (cmdline: readonly string[], needle: string): boolean =>
  cmdline.some((a) => a.includes(needle));

/** A process the worker runs jobs in, given its parent and the worker. */
export function isJobProcess(
  proc: ProcessEntry,
  parent: ProcessEntry | undefined,
  workerPid: number,
): boolean {
  if (proc.ppid === workerPid) {
    if (has(proc.cmdline, 'job_proc_lazy_main')) return true;
    return has(proc.cmdline, 'spawn_main') && has(proc.cmdline, '--multiprocessing-fork');
  }
  return (
    parent !== undefined &&
    parent.ppid === workerPid &&
    has(parent.cmdline, 'multiprocessing.forkserver')
  );
}

/**
 * Classifies every process in the three trees (the worker's, livekit-sip's, livekit-server's);
 * processes outside them are left out. A root named explicitly wins over ancestry.
 *
 * @example
 * const groups = classifyProcesses(table, { workerPid, livekitSipPid, livekitServerPid });
 * groups.get(jobPid); // { group: 'jobs', jobRoot: jobPid }
 */
export function classifyProcesses(
  table: ReadonlyMap<number, ProcessEntry>,
  roots: ProcessRoots,
): Map<number, Classification> {
  const result = new Map<number, Classification>();
  const rootGroups = new Map<number, ProcessGroup>([
    [roots.livekitServerPid, 'livekitServer'],
    [roots.livekitSipPid, 'livekitSip'],
    [roots.workerPid, 'worker'],
  ]);
  const resolve = (pid: number, depth: number): Classification | undefined => {
    const known = result.get(pid);
    if (known) return known;
    const rootGroup = rootGroups.get(pid);
    if (rootGroup) {
      if (!table.has(pid)) return undefined;
      const c = { group: rootGroup };
      result.set(pid, c);
      return c;
    }
    const proc = table.get(pid);
    if (!proc || depth > 64 || proc.ppid === 0 || proc.ppid === pid) return undefined;
    const parentClass = resolve(proc.ppid, depth + 1);
    if (!parentClass) return undefined;
    let c: Classification;
    if (parentClass.group === 'worker') {
      c = isJobProcess(proc, undefined, roots.workerPid)
        ? { group: 'jobs', jobRoot: pid }
        : { group: 'inference' };
    } else if (
      parentClass.group === 'inference' &&
      isJobProcess(proc, table.get(proc.ppid), roots.workerPid)
    ) {
      c = { group: 'jobs', jobRoot: pid };
    } else {
      c = parentClass;
    }
    result.set(pid, c);
    return c;
  };
  for (const pid of table.keys()) resolve(pid, 0);
  return result;
}
