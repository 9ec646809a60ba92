/**
 * A CPU-limited cgroup for the worker under test, as a Kubernetes pod's
 * `limits.cpu` makes one: the worker then reads its own use against its
 * limit, and its shipped CPU guard (agent/src/worker/cpu-use.ts) can run in
 * the benchmark instead of reading the whole machine, which the stack and
 * the callers share. Pinning (pin.ts) still keeps everything else off the
 * worker's CPUs. Needs a writable cgroup hierarchy (root, v1 `cpu` and
 * `cpuacct` mounts or v2 with the `cpu` controller); where there is none the
 * run goes on pinned only and says so.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = 'gva-bench-worker';
const PERIOD_US = 100_000;

export type WorkerCgroup = Readonly<{
  /** Prefix for the worker's command: joins the cgroup, then runs the command. */
  launch: readonly string[];
  /** What the report says about it. */
  describe: string;
  /** Removes the cgroup (once the worker has exited). */
  remove: () => void;
}>;

/**
 * A cgroup limited to `cores` CPUs, or why there is none.
 *
 * @example
 * const cg = workerCgroup(1);
 * if (typeof cg !== 'string') startStack({ agentLaunch: cg.launch, ... });
 */
export function workerCgroup(cores: number, root = '/sys/fs/cgroup'): WorkerCgroup | string {
  try {
    return existsSync(join(root, 'cgroup.controllers')) ? v2(cores, root) : v1(cores, root);
  } catch (err) {
    return `no CPU-limited cgroup for the worker (${(err as Error).message.split('\n')[0]})`;
  }
}

function v2(cores: number, root: string): WorkerCgroup {
  const controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8');
  if (!/\bcpu\b/.test(controllers)) throw new Error('the cgroup v2 root has no cpu controller');
  if (!/\bcpu\b/.test(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8')))
    writeFileSync(join(root, 'cgroup.subtree_control'), '+cpu');
  const dir = join(root, NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cpu.max'), `${Math.round(cores * PERIOD_US)} ${PERIOD_US}`);
  return made([dir], `cgroup v2 ${dir}, cpu.max ${cores} CPU`);
}

function v1(cores: number, root: string): WorkerCgroup {
  const cpu = ['cpu', 'cpu,cpuacct']
    .map((m) => join(root, m))
    .find((d) => existsSync(join(d, 'cpu.cfs_quota_us')));
  const acct = ['cpuacct', 'cpu,cpuacct']
    .map((m) => join(root, m))
    .find((d) => existsSync(join(d, 'cpuacct.usage')));
  if (!cpu || !acct) throw new Error('no cgroup v1 cpu and cpuacct mounts');
  const dirs = [...new Set([join(cpu, NAME), join(acct, NAME)])];
  for (const d of dirs) mkdirSync(d, { recursive: true });
  writeFileSync(join(cpu, NAME, 'cpu.cfs_period_us'), String(PERIOD_US));
  writeFileSync(join(cpu, NAME, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
  return made(dirs, `cgroup v1 ${join(cpu, NAME)}, CFS quota ${cores} CPU`);
}

function made(dirs: readonly string[], describe: string): WorkerCgroup {
  // The shell joins every hierarchy's cgroup, then becomes the worker (same pid); a cgroup it
  // cannot join stops the worker with a line saying which, in the worker's log.
  const joins = dirs
    .map(
      (d) => `{ echo $$ > ${d}/cgroup.procs || { echo "cannot join cgroup ${d}" >&2; exit 97; }; }`,
    )
    .join(' && ');
  return {
    launch: ['sh', '-c', `${joins} && exec "$@"`, 'sh'],
    describe,
    remove: () => {
      for (const d of dirs)
        try {
          rmdirSync(d);
        } catch {
          // still in use or gone: the next run reuses it
        }
    },
  };
}
