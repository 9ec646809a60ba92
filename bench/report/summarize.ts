/**
 * One run's figures from its measured calls and resources: what the report
 * tables, compares across systems and plots.
 */
import type { CallMeasurement, ResourceUsage } from '../measurements.ts';
import { dist, type Dist } from './stats.ts';

export type RunSummary = Readonly<{
  offered: number;
  answered: number;
  transferred: number;
  completed: number;
  abandoned: number;
  refused: number;
  lost: number;
  /** INVITE → 200 OK, answered calls only (abandoned ones are counted above, not here). */
  answerMs: Dist;
  /** INVITE to the end of ringing, every call (answered, refused or given up). */
  ringMs: Dist;
  /** 200 OK → onset of the greeting. */
  greetingOnsetMs: Dist;
  /** End of caller speech → onset of agent speech, every turn of every call. */
  turnMs: Dist;
  /** Caller utterances the agent never answered before the caller went on. */
  unansweredTurns: number;
  midSentencePauses: number;
  prematureReplies: number;
  /** prematureReplies / midSentencePauses, undefined without pauses. */
  prematureRate: number | undefined;
  bargeInStopMs: Dist;
  /** Agent-stream gaps over 100 ms, summed over calls, and the longest. */
  audioGaps: number;
  longestGapMs: number;
  /** Worker-side CPU (worker, job processes, inference) per talking call, in cores. */
  cpuPerCallCores: number | undefined;
  /** Job processes' peak PSS (warm idle ones included) divided by the most calls talking at once. */
  pssPerCallMb: number | undefined;
  /** Peak PSS of the whole worker (main process, job processes, inference). */
  workerPssMb: number;
  /** CPU seconds each fresh job process used to start. */
  jobStartCpuSeconds: Dist;
  /** Average cores used over the window. */
  livekitSipCores: number;
  livekitServerCores: number;
  workerCores: number;
}>;

/**
 * @example
 * const summary = summarizeRun(calls, resources, { offered: 12, peakTalkingCalls: 12 });
 * summary.answerMs.p95; // 1340
 */
export function summarizeRun(
  calls: readonly CallMeasurement[],
  resources: ResourceUsage,
  load: Readonly<{ offered: number; peakTalkingCalls: number }>,
): RunSummary {
  const { offered } = load;
  const count = (o: CallMeasurement['outcome']) => calls.filter((c) => c.outcome === o).length;
  const answered = calls.filter((c) => c.answerMs !== undefined);
  const pauses = sum(calls.map((c) => c.midSentencePauses));
  const premature = sum(calls.map((c) => c.prematureReplies));
  const workerCpu =
    resources.worker.cpuSeconds + resources.jobs.cpuSeconds + resources.inference.cpuSeconds;
  const peakCalls = Math.max(1, load.peakTalkingCalls);
  const window = Math.max(resources.windowSeconds, 1e-9);
  return {
    offered,
    answered: answered.length,
    transferred: count('transferred'),
    completed: count('completed'),
    abandoned: count('abandoned'),
    refused: count('refused'),
    lost: count('lost') + Math.max(0, offered - calls.length),
    answerMs: dist(defined(answered.map((c) => c.answerMs))),
    ringMs: dist(defined(calls.map((c) => c.ringMs))),
    greetingOnsetMs: dist(defined(calls.map((c) => c.greetingOnsetMs))),
    turnMs: dist(calls.flatMap((c) => c.turns.map((t) => t.latencyMs))),
    unansweredTurns: sum(calls.map((c) => c.unansweredTurns)),
    midSentencePauses: pauses,
    prematureReplies: premature,
    prematureRate: pauses > 0 ? premature / pauses : undefined,
    bargeInStopMs: dist(calls.flatMap((c) => c.bargeIns.map((b) => b.stopMs))),
    audioGaps: sum(calls.map((c) => c.audioGaps)),
    longestGapMs: Math.max(0, ...calls.map((c) => c.longestGapMs)),
    cpuPerCallCores:
      resources.talkingCallSeconds > 0 ? workerCpu / resources.talkingCallSeconds : undefined,
    pssPerCallMb: answered.length > 0 ? resources.jobs.peakPssMb / peakCalls : undefined,
    workerPssMb:
      resources.worker.peakPssMb + resources.jobs.peakPssMb + resources.inference.peakPssMb,
    jobStartCpuSeconds: dist(resources.jobStartCpuSeconds),
    livekitSipCores: resources.livekitSip.cpuSeconds / window,
    livekitServerCores: resources.livekitServer.cpuSeconds / window,
    workerCores: workerCpu / window,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function defined(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}
