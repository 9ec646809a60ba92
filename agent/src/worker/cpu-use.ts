/**
 * The CPU a worker may use and how much of it it uses, for its capacity and
 * its CPU guard. In a container with a CPU limit (a Kubernetes pod's
 * `resources.limits.cpu`) both come from the container's cgroup: the
 * kernel's per-core counters and `os.availableParallelism()` describe the
 * node, so a 1-CPU pod on a 16-core node would count 16 cores and read the
 * neighbours' load while its own calls are throttled. Without a limit
 * (or outside Linux) they are the node's, as before.
 *
 * cgroup v2 (`cpu.max`, `cpu.stat`) and v1 (`cpu.cfs_quota_us`,
 * `cpu.cfs_period_us`, `cpuacct.usage`) are read where /proc/self/cgroup
 * places the process, under /sys/fs/cgroup.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';

/** Where the worker's CPU is counted. */
export type CpuScope =
  | Readonly<{ kind: 'cgroup'; cores: number; usageMicros: () => number }>
  | Readonly<{ kind: 'node'; cores: number }>;

/** Reads a file as text, undefined when it cannot be read. */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The container's CPU limit and usage counter when it has a limit, else the node.
 *
 * @example
 * const scope = cpuScope();
 * scope.kind === 'cgroup' ? scope.cores : availableParallelism();
 */
export function cpuScope(
  read: ReadText = readText,
  root = '/sys/fs/cgroup',
  nodeCores = availableParallelism(),
): CpuScope {
  const node: CpuScope = { kind: 'node', cores: nodeCores };
  const membership = read('/proc/self/cgroup');
  if (membership === undefined) return node;
  const paths = cgroupPaths(membership);
  const v2 = paths.get('');
  if (v2 !== undefined) {
    const dir = cgroupDir(root, v2, read);
    const limit = v2Cores(read(join(dir, 'cpu.max')));
    if (limit !== undefined) {
      const usageMicros = () => v2UsageMicros(read(join(dir, 'cpu.stat')));
      if (Number.isFinite(usageMicros()))
        return { kind: 'cgroup', cores: Math.min(limit, nodeCores), usageMicros };
    }
  }
  const cpuPath = paths.get('cpu');
  const acctPath = paths.get('cpuacct');
  if (cpuPath !== undefined && acctPath !== undefined) {
    const cpuDir = cgroupDir(join(root, 'cpu'), cpuPath, read);
    const acctDir = cgroupDir(join(root, 'cpuacct'), acctPath, read);
    const limit = v1Cores(
      read(join(cpuDir, 'cpu.cfs_quota_us')),
      read(join(cpuDir, 'cpu.cfs_period_us')),
    );
    if (limit !== undefined) {
      const usageMicros = () => Number(read(join(acctDir, 'cpuacct.usage'))?.trim()) / 1000;
      if (Number.isFinite(usageMicros()))
        return { kind: 'cgroup', cores: Math.min(limit, nodeCores), usageMicros };
    }
  }
  return node;
}

/**
 * CPU use since the previous call (0-1) of what the scope allows: the
 * container's usage against its limit, or the node's busy share.
 *
 * @example
 * const use = cpuSampler(cpuScope());
 * setInterval(() => console.log(use()), 2500);
 */
export function cpuSampler(
  scope: CpuScope,
  now: () => number = () => performance.now(),
): () => number {
  if (scope.kind === 'node') {
    let last = nodeTimes();
    return () => {
      const next = nodeTimes();
      const busy = next.busy - last.busy;
      const total = next.total - last.total;
      last = next;
      return total > 0 ? clamp(busy / total) : 0;
    };
  }
  let last = { usage: scope.usageMicros(), at: now() };
  return () => {
    const next = { usage: scope.usageMicros(), at: now() };
    const wallMicros = (next.at - last.at) * 1000;
    const used = next.usage - last.usage;
    last = next;
    if (!(wallMicros > 0) || !Number.isFinite(used)) return 0;
    return clamp(used / (wallMicros * scope.cores));
  };
}

/** hierarchy ('' for v2, else each controller of a v1 line) → path, from /proc/self/cgroup. */
function cgroupPaths(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (controllers === undefined || path === undefined) continue;
    for (const c of controllers === '' ? [''] : controllers.split(',')) paths.set(c, path);
  }
  return paths;
}

/**
 * The process's cgroup directory under a hierarchy's mount: the path named,
 * or the mount itself where the container sees only its own cgroup there
 * (a cgroup namespace, or Docker's v1 mounts, which still name the host path).
 */
function cgroupDir(mount: string, path: string, read: ReadText): string {
  const named = join(mount, path);
  return read(join(named, 'cgroup.procs')) !== undefined ? named : mount;
}

/** `cpu.max` is "<quota> <period>" or "max <period>" (no limit). */
function v2Cores(text: string | undefined): number | undefined {
  const [quota, period] = (text ?? '').trim().split(/\s+/);
  return coresOf(Number(quota), Number(period));
}

function v1Cores(quota: string | undefined, period: string | undefined): number | undefined {
  return coresOf(Number(quota?.trim()), Number(period?.trim()));
}

function coresOf(quota: number, period: number): number | undefined {
  return Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0
    ? quota / period
    : undefined;
}

function v2UsageMicros(text: string | undefined): number {
  const line = (text ?? '').split('\n').find((l) => l.startsWith('usage_usec '));
  return line === undefined ? Number.NaN : Number(line.slice('usage_usec '.length));
}

function nodeTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const t = times.user + times.nice + times.sys + times.irq + times.idle;
    total += t;
    busy += t - times.idle;
  }
  return { busy, total };
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));
