/**
 * Collects a call's record while it runs (milestones, transfer attempts,
 * the escalation reason, turn latencies) and renders it, when the job ends,
 * as the contract dispatch stores (contracts/call-record.ts). Ids only: no
 * caller number, no transcript.
 */
import { RECORD_ID_MAX, type NewCallRecord } from '../../../contracts/call-record.ts';
import type { ConversationIdProblem } from '../../../contracts/conversation-id.ts';
import type { TransferAttempt } from '../../../contracts/transfer-outcome.ts';
import type { CallOutcome, HandoffReason } from '../../../contracts/call-outcome.ts';

export type CallRecorder = Readonly<{
  event: (name: string) => void;
  escalation: (reason: HandoffReason) => void;
  transferAttempt: (attempt: TransferAttempt) => void;
  turnLatency: (ms: number) => void;
  /** The record, once: later calls return the same object. */
  finish: (outcome: CallOutcome) => NewCallRecord;
}>;

export type CallIds = Readonly<{
  room: string;
  jobId: string;
  sipCallId: string;
  genesysConversationId: string | undefined;
  route: string;
  persona: string;
}>;

/**
 * @example
 * const recorder = createCallRecorder(ids);
 * recorder.event('greeted');
 * const record = recorder.finish('transferred');
 */
export function createCallRecorder(
  ids: CallIds,
  opts: Readonly<{
    /** Set when Genesys' conversation id was not a UUID; the record is flagged, never dropped. */
    conversationIdProblem?: ConversationIdProblem | undefined;
    now?: () => Date;
  }> = {},
): CallRecorder {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const timeline: { at: string; event: string }[] = [
    { at: startedAt.toISOString(), event: 'answered' },
  ];
  const transfers: NonNullable<NewCallRecord['transfers']> = [];
  const latencies: number[] = [];
  let escalationReason: HandoffReason | undefined;
  let finished: NewCallRecord | undefined;
  return Object.freeze({
    event: (name) => {
      if (timeline.length < 100) timeline.push({ at: now().toISOString(), event: name });
    },
    escalation: (reason) => {
      escalationReason ??= reason;
    },
    transferAttempt: (a) => {
      if (transfers.length >= 20) return;
      transfers.push({
        queue: a.queue,
        target: a.target,
        startedAt: a.startedAt.toISOString(),
        durationMs: Math.max(0, Math.round(a.durationMs)),
        status: a.outcome.status,
        ...('sipStatus' in a.outcome && a.outcome.sipStatus !== undefined
          ? { sipStatus: a.outcome.sipStatus }
          : {}),
      });
    },
    turnLatency: (ms) => {
      if (Number.isFinite(ms) && ms >= 0) latencies.push(ms);
    },
    finish: (outcome) => {
      finished ??= {
        // Ids come from the INVITE: clipped to the record's bound, never a reason to lose it.
        room: ids.room.slice(0, RECORD_ID_MAX),
        jobId: ids.jobId.slice(0, RECORD_ID_MAX),
        sipCallId: ids.sipCallId.slice(0, RECORD_ID_MAX),
        ...(ids.genesysConversationId ? { genesysConversationId: ids.genesysConversationId } : {}),
        ...(opts.conversationIdProblem
          ? { genesysConversationIdProblem: opts.conversationIdProblem }
          : {}),
        route: ids.route,
        persona: ids.persona,
        startedAt: startedAt.toISOString(),
        endedAt: now().toISOString(),
        outcome,
        ...(escalationReason ? { escalationReason } : {}),
        transfers: [...transfers],
        latency: latencySummary(latencies),
        timeline: [...timeline],
      };
      return finished;
    },
  });
}

function latencySummary(ms: readonly number[]): NewCallRecord['latency'] {
  if (ms.length === 0) return { turns: 0 };
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return {
    turns: sorted.length,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    maxMs: Math.round(sorted.at(-1) ?? 0),
  };
}
