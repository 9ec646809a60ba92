/**
 * A synthetic /proc tree for the sampler's tests: per process a directory
 * with `stat`, `cmdline` and `smaps_rollup`, rewritten as a test moves time.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type SyntheticProcess = Readonly<{
  pid: number;
  ppid: number;
  cmdline: string;
  utime: number;
  stime?: number;
  start?: number;
  pssKb?: number;
}>;

/**
 * A /proc/PID/stat line with the fields the sampler reads set and the rest filler.
 *
 * @example
 * statLine(42, 'node', { ppid: 1, utime: 10, stime: 2, start: 900 });
 */
export function statLine(
  pid: number,
  comm: string,
  f: Readonly<{ ppid: number; utime: number; stime: number; start: number; state?: string }>,
): string {
  const fields = Array.from({ length: 50 }, () => '0');
  fields[0] = f.state ?? 'S';
  fields[1] = String(f.ppid);
  fields[11] = String(f.utime);
  fields[12] = String(f.stime);
  fields[19] = String(f.start);
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

/**
 * Writes (or rewrites) one process of the synthetic tree.
 *
 * @example
 * writeProcess(root, { pid: 100, ppid: 1, cmdline: 'node main.ts start', utime: 1000 });
 */
export function writeProcess(root: string, p: SyntheticProcess): void {
  const dir = join(root, String(p.pid));
  mkdirSync(dir, { recursive: true });
  const comm = (p.cmdline.split(' ')[0] ?? '').split('/').at(-1)?.slice(0, 15) ?? '';
  writeFileSync(
    join(dir, 'stat'),
    statLine(p.pid, comm, {
      ppid: p.ppid,
      utime: p.utime,
      stime: p.stime ?? 0,
      start: p.start ?? p.pid,
    }),
  );
  writeFileSync(join(dir, 'cmdline'), `${p.cmdline.split(' ').join('\0')}\0`);
  writeFileSync(join(dir, 'smaps_rollup'), `Rss: ${p.pssKb ?? 0} kB\nPss: ${p.pssKb ?? 0} kB\n`);
}

/** The process exited. */
export function removeProcess(root: string, pid: number): void {
  rmSync(join(root, String(pid)), { recursive: true, force: true });
}
