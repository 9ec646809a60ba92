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
  /** Answered by dispatch and REFERred to the human queue: no agent took them. */
  handedOn: number;
  lost: number;
  /** INVITE → 200 OK, calls an agent answered only (not abandoned nor handed on ones). */
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
  // A handed-on call's 200 OK is dispatch's, not an agent's.
  const answered = calls.filter((c) => c.answerMs !== undefined && c.outcome !== 'handed_on');
  const pauses = sum(calls.map((c) => c.midSentencePauses));
  const premature = sum(calls.map((c) => c.prematureReplies));
  const workerCpu =
    resources.worker.cpuSeconds + resources.jobs.cpuSeconds + resources.inference.cpuSeconds;
  // The load counts every answered caller as talking; agent calls are at most those an agent answered.
  const peakCalls = Math.max(1, Math.min(load.peakTalkingCalls, answered.length));
  const window = Math.max(resources.windowSeconds, 1e-9);
  return {
    offered,
    answered: answered.length,
    transferred: count('transferred'),
    completed: count('completed'),
    abandoned: count('abandoned'),
    refused: count('refused'),
    handedOn: count('handed_on'),
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
