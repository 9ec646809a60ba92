/**
 * Reading Linux /proc directly (no ps): a process's stat line (parent, CPU
 * clock ticks, start time), its command line, and its proportional set size
 * from smaps_rollup. Parsers are pure; readers return undefined for a
 * process that is gone, which between two reads is normal.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';

export type ProcStat = Readonly<{
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** User and system CPU in clock ticks (CLK_TCK per second). */
  utimeTicks: number;
  stimeTicks: number;
  /** Clock ticks after boot when the process started: with the pid, its identity. */
  startTicks: number;
}>;

const tick = z.coerce.number().int().nonnegative();
const statFields = z.object({
  state: z.string().length(1),
  ppid: tick,
  utime: tick,
  stime: tick,
  starttime: tick,
});

/**
 * Parses /proc/PID/stat. The command name is in parentheses and may itself contain spaces
 * and parentheses, so fields are counted from the last ')'.
 *
 * @example
 * parseProcStat('42 (node) S 1 42 42 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 11 0 5000 ...');
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  const pid = tick.parse(text.slice(0, open).trim());
  // After the name: state(3) ppid(4) ... utime(14) stime(15) ... starttime(22), 1-based.
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const parsed = statFields.parse({
    state: f[0],
    ppid: f[1],
    utime: f[11],
    stime: f[12],
    starttime: f[19],
  });
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: parsed.state,
    ppid: parsed.ppid,
    utimeTicks: parsed.utime,
    stimeTicks: parsed.stime,
    startTicks: parsed.starttime,
  };
}

/**
 * The `Pss:` line of /proc/PID/smaps_rollup, in kB (0 for kernel threads and zombies).
 *
 * @example
 * parsePssKb('55d0...-7ffd... ---p 00000000 00:00 0 [rollup]\nRss: 2048 kB\nPss: 1024 kB\n'); // 1024
 */
export function parsePssKb(text: string): number {
  const m = /^Pss:\s+(\d+)\s+kB$/m.exec(text);
  return m ? tick.parse(m[1]) : 0;
}

/**
 * /proc/PID/cmdline: NUL-separated arguments.
 *
 * @example
 * parseCmdline('node\0job_proc_lazy_main.js\0'); // ['node', 'job_proc_lazy_main.js']
 */
export function parseCmdline(text: string): string[] {
  const args = text.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

/** Where /proc is: tests point the readers at a synthetic tree. */
export type ProcRoot = string;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * @example
 * readProcStat(process.pid)?.ppid;
 */
export function readProcStat(pid: number, root: ProcRoot = '/proc'): ProcStat | undefined {
  const text = readText(`${root}/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text);
}

/**
 * @example
 * readCmdline(process.pid); // ['/usr/bin/node', 'main.ts']
 */
export function readCmdline(pid: number, root: ProcRoot = '/proc'): string[] | undefined {
  const text = readText(`${root}/${pid}/cmdline`);
  return text === undefined ? undefined : parseCmdline(text);
}

/**
 * @example
 * readPssKb(process.pid); // 61234
 */
export function readPssKb(pid: number, root: ProcRoot = '/proc'): number | undefined {
  const text = readText(`${root}/${pid}/smaps_rollup`);
  return text === undefined ? undefined : parsePssKb(text);
}

/**
 * Every process id under /proc.
 *
 * @example
 * listPids().includes(process.pid); // true
 */
export function listPids(root: ProcRoot = '/proc'): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(root)) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

/**
 * The kernel's USER_HZ (`getconf CLK_TCK`), 100 on every mainstream Linux.
 *
 * @example
 * const seconds = (stat.utimeTicks + stat.stimeTicks) / clockTicksPerSecond();
 */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
