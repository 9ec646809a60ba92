/**
 * `make bench`: what callers feel under load, measured from the wire, for our
 * worker and for LiveKit Agents for Python, in one run on this machine.
 * Prints progress, then a side-by-side table, writes a JSON report
 * (bench-report@1, docs/benchmark.md) and a PNG chart next to it, and prints
 * the report's path last.
 *
 *   make bench            quick plan (about 15 minutes on 2 cores)
 *   make bench FULL=1     full sweep: three repetitions, typical provider latencies, Poisson load
 *   make bench PROFILE=1  also V8 CPU profiles of our worker and its job processes
 *   BENCH_GROUPS=ours/cloud-zero BENCH_CALLERS=1,4 make bench   only those groups and burst sizes
 *   BENCH_WORKER_CPUS=1 make bench   the worker alone on CPU 1, the stack and callers on the others
 *   BENCH_AGENT_ENV=AGENT_JOB_BUNDLE=off make bench   extra variables for our worker (comma-separated K=V)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/harness/tools.ts';
import { fullPlan, narrowPlan, quickPlan, smokePlan, type Plan } from './plan.ts';
import { buildReport, writeReport } from './report/build.ts';
import { cpuSplit } from './resources/pin.ts';
import type { RunRecord } from './report/document.ts';
import { renderTables } from './report/table.ts';
import { runGroup } from './run-group.ts';

const RING_TIMEOUT_SECONDS = 30;

const env = process.env;
const list = (name: string) =>
  (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
const plan: Plan = narrowPlan(
  env['BENCH_PLAN'] === 'smoke' ? smokePlan() : env['FULL'] === '1' ? fullPlan() : quickPlan(),
  { groups: list('BENCH_GROUPS'), callers: list('BENCH_CALLERS').map(Number) },
);
const profile = env['PROFILE'] === '1';
const split = cpuSplit(env['BENCH_WORKER_CPUS']);
const agentEnv = Object.fromEntries(
  list('BENCH_AGENT_ENV').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`BENCH_AGENT_ENV: "${pair}" is not NAME=value`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }),
);
const startedAt = new Date();
const outDir = join(REPO_ROOT, '.run/bench', startedAt.toISOString().replace(/[:.]/g, '-'));
const profileDir = profile ? join(outDir, 'profiles') : undefined;
mkdirSync(outDir, { recursive: true });

const elapsed = () => {
  const s = Math.round((Date.now() - startedAt.getTime()) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const log = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

log(
  `${plan.name} plan: ${plan.groups.length} system/voice groups, ${plan.repetitions} repetition(s); artifacts in ${outDir}`,
);
const runs: RunRecord[] = [];
for (const [i, group] of plan.groups.entries()) {
  log(
    `[${i + 1}/${plan.groups.length}] ${group.system} on ${group.voice}: ${group.loads.length} load(s)`,
  );
  runs.push(
    ...(await runGroup(group, {
      slot: Number(env['BENCH_SLOT'] ?? 9),
      repetitions: plan.repetitions,
      outDir,
      ...(profileDir ? { profileDir } : {}),
      ringTimeoutSeconds: RING_TIMEOUT_SECONDS,
      ...(split ? { cpuSplit: split } : {}),
      agentEnv,
      log,
    })),
  );
}

const report = buildReport({
  plan,
  runs,
  startedAt,
  settings: {
    ringTimeoutSeconds: RING_TIMEOUT_SECONDS,
    burstPerSecond: 2,
    profiles: profileDir ?? null,
    workerCpus: split?.worker ?? null,
    agentEnv,
  },
});
const { reportFile, chartFile } = writeReport(report, outDir);
if (split)
  console.log(
    `\nThe worker ran alone on CPU ${split.worker.join(',')}; the stack, the stand-ins and the callers on ${split.rest.join(',')}.`,
  );
console.log(
  `\n${renderTables(report.points, report.comparisons, report.machine, report.createdAt)}\n`,
);
console.log(`chart: ${chartFile}`);
if (profileDir)
  console.log(`CPU profiles: ${profileDir} (Chrome DevTools or speedscope open them)`);
console.log(reportFile);
