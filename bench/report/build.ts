/**
 * Assembles the JSON report from a plan's runs and writes it with its chart.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/harness/tools.ts';
import type { Plan } from '../plan.ts';
import {
  comparisonsOf,
  pointsOf,
  REPORT_SCHEMA,
  type BenchReport,
  type Machine,
  type RunRecord,
} from './document.ts';

/** The benchmark's Python (the peer and the chart), installed by bench/setup.sh. */
export const BENCH_PYTHON = join(REPO_ROOT, '.tools/bench-python/bin/python');

export type BuildOptions = Readonly<{
  plan: Plan;
  runs: readonly RunRecord[];
  startedAt: Date;
  settings: Readonly<Record<string, unknown>>;
}>;

/**
 * @example
 * const report = buildReport({ plan, runs, startedAt, settings: { ringTimeoutSeconds: 30 } });
 */
export function buildReport(opts: BuildOptions): BenchReport {
  const points = pointsOf(opts.runs);
  return {
    schema: REPORT_SCHEMA,
    createdAt: opts.startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - opts.startedAt.getTime()) / 1000),
    plan: opts.plan.name,
    repetitions: opts.plan.repetitions,
    machine: machineFacts(),
    versions: versions(),
    settings: { ...opts.settings },
    points,
    comparisons: comparisonsOf(points),
    runs: opts.runs,
  };
}

/**
 * Writes `report.json` and `chart.png` into `dir`.
 *
 * @example
 * const { reportFile, chartFile } = writeReport(report, '.run/bench/2026-12-01T…');
 */
export function writeReport(
  report: BenchReport,
  dir: string,
): Readonly<{ reportFile: string; chartFile: string }> {
  const reportFile = join(dir, 'report.json');
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  const chartFile = join(dir, 'chart.png');
  execFileSync(BENCH_PYTHON, [join(REPO_ROOT, 'bench/report/chart.py'), reportFile, chartFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { reportFile, chartFile };
}

/** What machine the figures come from: they mean nothing without it. */
export function machineFacts(): Machine {
  let python = 'missing (run bench/setup.sh)';
  try {
    python = execFileSync(BENCH_PYTHON, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as missing
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    node: process.version,
    python,
  };
}

function versions(): Record<string, string> {
  const pkg = (name: string) =>
    (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  const pinned = readFileSync(join(REPO_ROOT, 'scripts/versions.sh'), 'utf8');
  const pin = (k: string) => new RegExp(`^${k}=(\\S+)`, 'm').exec(pinned)?.[1] ?? 'unknown';
  const peer = readFileSync(join(REPO_ROOT, 'bench/peer/requirements.txt'), 'utf8');
  return {
    '@livekit/agents': pkg('@livekit/agents'),
    '@livekit/rtc-node': pkg('@livekit/rtc-node'),
    'livekit-agents (peer)': /^livekit-agents==(\S+)/m.exec(peer)?.[1] ?? 'unknown',
    'livekit-server': pin('LIVEKIT_SERVER_VERSION'),
    'livekit-sip': pin('LIVEKIT_SIP_VERSION'),
  };
}
