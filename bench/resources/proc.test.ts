import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  listPids,
  parseCmdline,
  parseProcStat,
  parsePssKb,
  readCmdline,
  readProcStat,
  readPssKb,
} from './proc.ts';
import { statLine } from './synthetic-proc.ts';

describe('/proc parsing', () => {
  it('reads a stat line, even when the command name holds spaces and parentheses', () => {
    const real =
      '4242 (node (job) x) R 4000 4242 4000 0 -1 4194560 1234 0 0 0 250 31 0 0 20 0 11 0 98765 1100000000 40000 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
    expect(parseProcStat(real)).toEqual({
      pid: 4242,
      comm: 'node (job) x',
      state: 'R',
      ppid: 4000,
      utimeTicks: 250,
      stimeTicks: 31,
      startTicks: 98765,
    });
    expect(() => parseProcStat('garbage')).toThrow(/stat/);
  });

  it('reads PSS from smaps_rollup, and 0 where there is none', () => {
    const rollup = [
      '55d4c9a4f000-7ffc3a5fe000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:              183944 kB',
      'Pss:              120001 kB',
      'Pss_Anon:          90000 kB',
      '',
    ].join('\n');
    expect(parsePssKb(rollup)).toBe(120001);
    expect(parsePssKb('')).toBe(0);
  });

  it('splits a command line at NULs', () => {
    expect(
      parseCmdline('python\0-c\0from multiprocessing.forkserver import main; main(18)\0'),
    ).toEqual(['python', '-c', 'from multiprocessing.forkserver import main; main(18)']);
    expect(parseCmdline('')).toEqual([]);
  });

  describe('readers on a synthetic /proc', () => {
    const root = mkdtempSync(join(tmpdir(), 'proc-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, '17'));
    mkdirSync(join(root, 'self'));
    writeFileSync(
      join(root, '17', 'stat'),
      statLine(17, 'node', { ppid: 1, utime: 5, stime: 2, start: 900 }),
    );
    writeFileSync(join(root, '17', 'cmdline'), 'node\0main.ts\0');
    writeFileSync(join(root, '17', 'smaps_rollup'), 'Pss:  2048 kB\n');

    it('lists only process directories and reads them', () => {
      expect(listPids(root)).toEqual([17]);
      expect(readProcStat(17, root)?.utimeTicks).toBe(5);
      expect(readCmdline(17, root)).toEqual(['node', 'main.ts']);
      expect(readPssKb(17, root)).toBe(2048);
    });

    it('answers undefined for a process that is gone', () => {
      expect(readProcStat(18, root)).toBeUndefined();
      expect(readCmdline(18, root)).toBeUndefined();
      expect(readPssKb(18, root)).toBeUndefined();
    });
  });
});
