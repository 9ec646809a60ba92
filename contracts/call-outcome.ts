/**
 * The words both services use for how a call leaves the AI: why a caller is
 * handed to a human (the reason code that travels in the UUI as `ai_reason`,
 * in `X-AI-Transfer-Reason`, the context record, the call record and the
 * escalation metric), what became of each transfer attempt, and how the call
 * ended. One list each: the handoff policy, the agent's transfer control, the
 * call record and dispatch's recovery all take their values from here.
 */
import { z } from 'zod';

/**
 * Why the caller is handed to a human: the handoff policy decides
 * `caller_request`, `frustration`, `time_limit`, `turn_limit` and `silence`
 * (contracts/handoff-policy.ts); the agent's call `dtmf_zero`,
 * `out_of_scope`, `persona_route` and `provider_failure`; dispatch
 * `agent_failure`, when replacement agents kept failing, and `no_agent`,
 * when no agent took the call before the ring timeout.
 */
export const handoffReasonSchema = z.enum([
  'dtmf_zero',
  'caller_request',
  'frustration',
  'out_of_scope',
  'time_limit',
  'provider_failure',
  'turn_limit',
  'silence',
  'persona_route',
  'agent_failure',
  'no_agent',
]);
export type HandoffReason = z.output<typeof handoffReasonSchema>;

/** The reasons the handoff policy decides on its own (exit conditions). */
export const policyHandoffReasonSchema = handoffReasonSchema.extract([
  'caller_request',
  'frustration',
  'time_limit',
  'turn_limit',
  'silence',
]);
export type PolicyHandoffReason = z.output<typeof policyHandoffReasonSchema>;

/**
 * What became of one transfer attempt: `completed` (Genesys took the call),
 * `refused` (a final non-2xx to the REFER, or the human's line declined),
 * `failed` (NOTIFY reported failure), `timed_out`, `unconfirmed` (the REFER
 * went out, its fate is unknown) or `error` (it could not be sent).
 */
export const transferStatusSchema = z.enum([
  'completed',
  'refused',
  'failed',
  'timed_out',
  'unconfirmed',
  'error',
]);
export type TransferStatus = z.output<typeof transferStatusSchema>;

/** How a call ended for its agent job (the call record's and the outcome metric's value). */
export const callOutcomeSchema = z.enum(['transferred', 'caller_hung_up', 'agent_ended', 'failed']);
export type CallOutcome = z.output<typeof callOutcomeSchema>;

/**
 * A call record's outcome: how its agent job ended, or `refused` when no
 * agent ever took the call and livekit-sip turned the INVITE away at the
 * trunk's ring timeout (486 Busy Here); dispatch writes those records.
 */
export const recordOutcomeSchema = z.enum([...callOutcomeSchema.options, 'refused']);
export type RecordOutcome = z.output<typeof recordOutcomeSchema>;

/**
 * Whether a reason code is one of ours (a value read back from UUI or a header).
 *
 * @example
 * isHandoffReason('dtmf_zero'); // true
 * isHandoffReason('bored'); // false
 */
export function isHandoffReason(value: unknown): value is HandoffReason {
  return handoffReasonSchema.safeParse(value).success;
}
