import { describe, expect, it } from 'vitest';
import { cpuSampler, cpuScope, type ReadText } from './cpu-use.ts';

/** A file system of the given files only. */
const files =
  (map: Record<string, string>): ReadText =>
  (path) =>
    map[path];

describe('cpuScope', () => {
  it('reads a cgroup v2 container limit and usage (a pod limited to 1.5 CPUs, in its own namespace)', () => {
    let usage = 1_000_000;
    const read: ReadText = (path) =>
      path === '/sys/fs/cgroup/cpu.stat'
        ? `usage_usec ${usage}\nuser_usec 1\nsystem_usec 2\n`
        : files({
            '/proc/self/cgroup': '0::/\n',
            '/sys/fs/cgroup/cgroup.procs': '1\n',
            '/sys/fs/cgroup/cpu.max': '150000 100000\n',
          })(path);
    const scope = cpuScope(read, '/sys/fs/cgroup', 16);
    expect(scope).toMatchObject({ kind: 'cgroup', cores: 1.5 });
    if (scope.kind !== 'cgroup') throw new Error('not a cgroup');
    expect(scope.usageMicros()).toBe(1_000_000);
    usage = 2_500_000;
    expect(scope.usageMicros()).toBe(2_500_000);
  });

  it('finds a v2 cgroup by the path /proc/self/cgroup names', () => {
    const read = files({
      '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/cgroup.procs': '1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': '200000 100000',
      '/sys/fs/cgroup/kubepods/pod1/c1/cpu.stat': 'usage_usec 5\n',
    });
    expect(cpuScope(read, '/sys/fs/cgroup', 8)).toMatchObject({ kind: 'cgroup', cores: 2 });
  });

  it('reads a cgroup v1 quota (Docker mounts the container cgroup at the root, under the host path name)', () => {
    const read = files({
      '/proc/self/cgroup': '12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n0::/\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/cpuacct/cpuacct.usage': '3000000000\n',
    });
    const scope = cpuScope(read, '/sys/fs/cgroup', 4);
    expect(scope).toMatchObject({ kind: 'cgroup', cores: 1 });
    if (scope.kind === 'cgroup') expect(scope.usageMicros()).toBe(3_000_000);
  });

  it('is the node when the cgroup has no limit, no usage counter, or cannot be read', () => {
    const unlimited = files({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cgroup.procs': '1\n',
      '/sys/fs/cgroup/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/cpu.stat': 'usage_usec 5\n',
    });
    const v1Unlimited = files({
      '/proc/self/cgroup': '3:cpu,cpuacct:/\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/cpuacct/cpuacct.usage': '1\n',
    });
    const noUsage = files({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cpu.max': '100000 100000\n',
    });
    const garbage = files({ '/proc/self/cgroup': 'not a cgroup file\n\u0000' });
    for (const read of [unlimited, v1Unlimited, noUsage, garbage, files({})])
      expect(cpuScope(read, '/sys/fs/cgroup', 2)).toEqual({ kind: 'node', cores: 2 });
  });

  it('never counts more cores than the node has', () => {
    const read = files({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cpu.max': '800000 100000\n',
      '/sys/fs/cgroup/cpu.stat': 'usage_usec 5\n',
    });
    expect(cpuScope(read, '/sys/fs/cgroup', 2)).toMatchObject({ kind: 'cgroup', cores: 2 });
  });

  it('reads this machine without throwing', () => {
    expect(cpuScope().cores).toBeGreaterThan(0);
  });
});

describe('cpuSampler', () => {
  it("gives a container's use against its limit", () => {
    let usage = 0;
    let at = 0;
    const use = cpuSampler({ kind: 'cgroup', cores: 2, usageMicros: () => usage }, () => at);
    at = 1000; // ms
    usage = 1_000_000; // one core for a second, of two
    expect(use()).toBeCloseTo(0.5);
    at = 2000;
    usage = 3_500_000; // 2.5 cores' worth in a second: throttled at the limit
    expect(use()).toBe(1);
    expect(use()).toBe(0); // no time passed
  });

  it('gives 0, not NaN, when the counter cannot be read', () => {
    let at = 0;
    const use = cpuSampler({ kind: 'cgroup', cores: 1, usageMicros: () => Number.NaN }, () => at);
    at = 500;
    expect(use()).toBe(0);
  });

  it("gives the node's busy share between 0 and 1", () => {
    const use = cpuSampler({ kind: 'node', cores: 2 });
    const end = Date.now() + 50;
    while (Date.now() < end) Math.sqrt(Math.random());
    const share = use();
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
