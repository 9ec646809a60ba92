/**
 * Calls no agent took. When every worker is full (or none is up) a Genesys
 * caller rings for the trunk's `ringTimeoutSeconds`, then livekit-sip refuses
 * the INVITE with 486 Busy Here and leaves the room. No agent job exists to
 * write that call's record, so dispatch writes it from LiveKit's
 * `participant_left` webhook: the SIP participant left while still
 * `ringing` (a caller who hangs up first leaves as `hangup`, and an answered
 * call is `active` until it ends). Counted in `gva_dispatch_refused_calls_total`.
 */
import { ParticipantInfo_Kind, type WebhookEvent } from '@livekit/protocol';
import { routeOfCall } from '../../../contracts/call-route.ts';
import { NO_AGENT_JOB } from '../../../contracts/call-record.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { sipAttributes } from '../../../contracts/sip-attributes.ts';
import { log } from '../log.ts';
import { callerContext } from '../queue-refer.ts';
import type { CreateCallRecordResult, NewCall } from '../store/store.ts';

/** The `route` and `persona` of a refused call whose number no route serves. */
export const NO_ROUTE = 'none';

/**
 * The record of a call no agent took, when `event` says one was refused;
 * undefined for every other event.
 *
 * @example
 * refusedCallRecord(routing, event)?.outcome; // 'refused'
 */
export function refusedCallRecord(
  routing: RoutingConfig,
  event: WebhookEvent,
): NewCall | undefined {
  const p = event.participant;
  const room = event.room?.name;
  if (event.event !== 'participant_left' || !p || !room) return;
  if (p.kind !== ParticipantInfo_Kind.SIP || p.attributes[sipAttributes.callStatus] !== 'ringing')
    return;
  const call = callerContext(p.attributes);
  const route = routeOfCall(routing, room, p.attributes);
  const endedMs = Number(event.createdAt) * 1000 || Date.now();
  // joinedAtMs is when livekit-sip joined the room for the INVITE: the call rang from then.
  const joinedMs = Number(p.joinedAtMs) || Number(p.joinedAt) * 1000 || endedMs;
  const startedAt = new Date(Math.min(joinedMs, endedMs)).toISOString();
  const endedAt = new Date(endedMs).toISOString();
  return {
    room: room.slice(0, 200),
    jobId: NO_AGENT_JOB,
    // Ids come from the INVITE: clipped to the record's bound, never a reason to lose it.
    sipCallId: (call?.sipCallId ?? p.attributes[sipAttributes.callId] ?? p.identity).slice(0, 200),
    ...(call?.conversationId ? { genesysConversationId: call.conversationId } : {}),
    ...(call?.conversationIdProblem
      ? { genesysConversationIdProblem: call.conversationIdProblem }
      : {}),
    route: route?.name ?? NO_ROUTE,
    persona: route?.persona ?? NO_ROUTE,
    startedAt,
    endedAt,
    outcome: 'refused',
    transfers: [],
    latency: { turns: 0 },
    timeline: [
      { at: startedAt, event: 'ringing' },
      { at: endedAt, event: 'refused' },
    ],
  };
}

export type RefusedCallDeps = Readonly<{
  routing: RoutingConfig;
  /** Stores a record and queues its webhook deliveries (Store.createCallRecord). */
  store: (call: NewCall) => Promise<CreateCallRecordResult>;
  /** Counts a refused call, by route. */
  count: (route: string) => void;
  /** Told once a record is stored (wakes the outbox loop). */
  stored?: () => void;
}>;

/**
 * The webhook listener that records refused calls; resolves with the stored
 * record's status, or undefined for events that are not a refusal.
 *
 * @example
 * const recordRefused = refusedCalls({ routing, store: (c) => store.createCallRecord(c, hooks), count });
 * await recordRefused(event);
 */
export function refusedCalls(
  deps: RefusedCallDeps,
): (event: WebhookEvent) => Promise<CreateCallRecordResult['status'] | undefined> {
  return async (event) => {
    const record = refusedCallRecord(deps.routing, event);
    if (!record) return undefined;
    const result = await deps.store(record);
    // LiveKit retries a webhook it thinks failed: the second copy is the same record.
    if (result.status === 'created') {
      deps.count(record.route);
      deps.stored?.();
      log.warn('call refused: no agent took it before the ring timeout', {
        room: record.room,
        route: record.route,
      });
    }
    return result.status;
  };
}
