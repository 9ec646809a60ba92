/**
 * The benchmark's JSON report: one document per `make bench`, schema
 * `bench-report@1` (docs/benchmark.md describes every field). `points` holds
 * the figures to compare and plot: one per system, voice and load, each the
 * median over its repetitions; `comparisons` the ours/peer ratios; `runs`
 * every repetition with every call as measured on the wire.
 */
import { z } from 'zod';
import type { CallMeasurement, ResourceUsage } from '../measurements.ts';
import { VOICE_NAMES, type ArrivalPattern, type SystemName, type VoiceName } from '../plan.ts';
import { median, ratio } from './stats.ts';
import type { RunSummary } from './summarize.ts';

export const REPORT_SCHEMA = 'bench-report@1';

/** The figures of one point, medians over its repetitions (ms, cores, MB). */
export const pointFigures = z.object({
  offered: z.number(),
  answered: z.number(),
  lost: z.number(),
  abandoned: z.number(),
  refused: z.number(),
  /** Handed to the human queue by dispatch when no agent took the call. */
  handedOn: z.number(),
  transferred: z.number(),
  answerP50Ms: z.number().optional(),
  answerP95Ms: z.number().optional(),
  /** Longest a caller rang (to the answer, a refusal or their CANCEL). */
  ringMaxMs: z.number().optional(),
  greetingP50Ms: z.number().optional(),
  turnP50Ms: z.number().optional(),
  turnP95Ms: z.number().optional(),
  turns: z.number(),
  unansweredTurns: z.number(),
  prematureRate: z.number().optional(),
  bargeInStopP50Ms: z.number().optional(),
  audioGaps: z.number(),
  longestGapMs: z.number(),
  cpuPerCallCores: z.number().optional(),
  pssPerCallMb: z.number().optional(),
  workerPssMb: z.number(),
  jobStartCpuP50Seconds: z.number().optional(),
  livekitSipCores: z.number(),
  livekitServerCores: z.number(),
  workerCores: z.number(),
});
export type PointFigures = z.infer<typeof pointFigures>;

const pattern = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('burst'), callers: z.number(), perSecond: z.number() }),
  z.object({
    kind: z.literal('poisson'),
    perSecond: z.number(),
    durationSeconds: z.number(),
    seed: z.number(),
  }),
]);

export const reportPoint = z.object({
  system: z.enum(['ours', 'ours-defaults', 'ours-admission', 'ours-admission-queue', 'peer']),
  voice: z.enum(VOICE_NAMES),
  pattern,
  label: z.string(),
  repetitions: z.number(),
  figures: pointFigures,
});
export type ReportPoint = z.infer<typeof reportPoint>;

export const comparison = z.object({
  voice: z.enum(VOICE_NAMES),
  label: z.string(),
  metric: z.string(),
  ours: z.number().optional(),
  peer: z.number().optional(),
  /** ours / peer: below 1 is better for every metric compared (times, CPU, memory). */
  ratio: z.number().optional(),
});
export type Comparison = z.infer<typeof comparison>;

export const machine = z.object({
  cpuModel: z.string(),
  cores: z.number(),
  memoryGiB: z.number(),
  kernel: z.string(),
  node: z.string(),
  python: z.string(),
});
export type Machine = z.infer<typeof machine>;

/** The stable part of the report, which tools reading it may rely on. */
export const reportHeader = z.object({
  schema: z.literal(REPORT_SCHEMA),
  createdAt: z.string(),
  durationSeconds: z.number(),
  plan: z.enum(['quick', 'full', 'smoke']),
  repetitions: z.number(),
  machine,
  versions: z.record(z.string(), z.string()),
  settings: z.record(z.string(), z.unknown()),
  points: z.array(reportPoint),
  comparisons: z.array(comparison),
});
export type ReportHeader = z.infer<typeof reportHeader>;

/** One repetition of one point, with every call as measured. */
export type RunRecord = Readonly<{
  system: SystemName;
  voice: VoiceName;
  pattern: ArrivalPattern;
  label: string;
  repetition: number;
  startedAt: string;
  artifactsDir: string;
  summary: RunSummary;
  resources: ResourceUsage;
  calls: readonly CallMeasurement[];
}>;

export type BenchReport = ReportHeader & Readonly<{ runs: readonly RunRecord[] }>;

/**
 * Medians over the repetitions of each (system, voice, load).
 *
 * @example
 * const points = pointsOf(runs); // one per system × voice × load
 */
export function pointsOf(runs: readonly RunRecord[]): ReportPoint[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = `${run.system}|${run.voice}|${run.label}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((reps) => {
    const first = reps[0] as RunRecord;
    const m = (f: (s: RunSummary) => number | undefined) => median(reps.map((r) => f(r.summary)));
    const n = (f: (s: RunSummary) => number) => median(reps.map((r) => f(r.summary))) ?? 0;
    return {
      system: first.system,
      voice: first.voice,
      pattern: first.pattern,
      label: first.label,
      repetitions: reps.length,
      figures: pointFigures.parse({
        offered: n((s) => s.offered),
        answered: n((s) => s.answered),
        lost: n((s) => s.lost),
        abandoned: n((s) => s.abandoned),
        refused: n((s) => s.refused),
        handedOn: n((s) => s.handedOn),
        transferred: n((s) => s.transferred),
        answerP50Ms: m((s) => s.answerMs.p50),
        answerP95Ms: m((s) => s.answerMs.p95),
        ringMaxMs: m((s) => s.ringMs.max),
        greetingP50Ms: m((s) => s.greetingOnsetMs.p50),
        turnP50Ms: m((s) => s.turnMs.p50),
        turnP95Ms: m((s) => s.turnMs.p95),
        turns: n((s) => s.turnMs.n),
        unansweredTurns: n((s) => s.unansweredTurns),
        prematureRate: m((s) => s.prematureRate),
        bargeInStopP50Ms: m((s) => s.bargeInStopMs.p50),
        audioGaps: n((s) => s.audioGaps),
        longestGapMs: n((s) => s.longestGapMs),
        cpuPerCallCores: m((s) => s.cpuPerCallCores),
        pssPerCallMb: m((s) => s.pssPerCallMb),
        workerPssMb: n((s) => s.workerPssMb),
        jobStartCpuP50Seconds: m((s) => s.jobStartCpuSeconds.p50),
        livekitSipCores: n((s) => s.livekitSipCores),
        livekitServerCores: n((s) => s.livekitServerCores),
        workerCores: n((s) => s.workerCores),
      }),
    };
  });
}

/** The figures compared between our worker (as shipped) and the peer. */
export const COMPARED: readonly (keyof PointFigures)[] = [
  'answerP95Ms',
  'greetingP50Ms',
  'turnP50Ms',
  'turnP95Ms',
  'bargeInStopP50Ms',
  'cpuPerCallCores',
  'pssPerCallMb',
  'jobStartCpuP50Seconds',
];

/**
 * ours/peer for every load both ran in the same voice mode.
 *
 * @example
 * comparisonsOf(points).find((c) => c.metric === 'turnP50Ms' && c.label === 'burst 1 @2/s');
 */
export function comparisonsOf(points: readonly ReportPoint[]): Comparison[] {
  const out: Comparison[] = [];
  for (const ours of points.filter((p) => p.system === 'ours')) {
    const peer = points.find(
      (p) => p.system === 'peer' && p.voice === ours.voice && p.label === ours.label,
    );
    if (!peer) continue;
    for (const metric of COMPARED) {
      const a = ours.figures[metric];
      const b = peer.figures[metric];
      const r = ratio(a, b);
      out.push({
        voice: ours.voice,
        label: ours.label,
        metric,
        ...(a === undefined ? {} : { ours: a }),
        ...(b === undefined ? {} : { peer: b }),
        ...(r === undefined ? {} : { ratio: r }),
      });
    }
  }
  return out;
}
