/**
 * A caller no agent took, handed to the route's human queue instead of
 * refused (`inboundTrunk.whenNoAgent: queue`). A ringing call cannot be
 * REFERred, and livekit-sip answers only once it can subscribe to an audio
 * track in the room. So 2 s before the ring timeout, when the caller
 * is still ringing and no agent is in the room, dispatch claims the room,
 * looks once more for an agent (a late one keeps the call: the handshake in
 * contracts/hand-on.ts), then answers with a silent track, REFERs the caller
 * to the queue's targets with reason `no_agent`, leaves, and writes the
 * call's record.
 */
import { ParticipantInfo_Kind, type ParticipantInfo, type WebhookEvent } from '@livekit/protocol';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import { NO_AGENT_JOB } from '../../../contracts/call-record.ts';
import { routeOfCall } from '../../../contracts/call-route.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { sipAttributes } from '../../../contracts/sip-attributes.ts';
import { classifyTransferError, nextTargetIsSafe } from '../../../contracts/transfer-outcome.ts';
import { log } from '../log.ts';
import { callerContext, queueReferTo, type TransferCaller } from '../queue-refer.ts';
import type { CreateCallRecordResult, NewCall } from '../store/store.ts';
import type { RoomClaim } from './answerer.ts';

const NO_AGENT: HandoffReason = 'no_agent';

/**
 * How long before the trunk's ring timeout (counted from the caller's join)
 * dispatch hands a caller on. What must fit in it: the checks and the claim,
 * livekit-sip's answer, and the INVITE's way to the room before the join
 * (0.5-0.8 s together with 8 callers arriving at 2 a second on 2 cores, 2026-12-03);
 * at 1 s the slowest answer came 25 ms before livekit-sip's 486, and at 1.5 s,
 * during the full test suite on that machine, the silent track's publish
 * alone took longer than the 1.3 s left (test/admission-queue.test.ts).
 */
export const HAND_ON_LEAD_MS = 2000;

export type HandOnDeps = Readonly<{
  routing: RoutingConfig;
  listParticipants: (room: string) => Promise<ParticipantInfo[]>;
  /** Joins the room with nothing published; its `answer` makes livekit-sip answer the caller. */
  claim: (room: string) => Promise<RoomClaim>;
  transferCaller: TransferCaller;
  store: (call: NewCall) => Promise<CreateCallRecordResult>;
  /** Counts a call handed on, by route and whether a target took it. */
  count: (route: string, result: 'transferred' | 'failed') => void;
  stored?: () => void;
  /** From the caller joining to the hand-on; default {@link HAND_ON_LEAD_MS} before the ring timeout. */
  afterMs?: number;
  /** How often the caller's answer is looked for, and for how long. */
  pollMs?: number;
  answerTimeoutMs?: number;
}>;

export type HandOnDecision =
  | { readonly action: 'none'; readonly why: string }
  | { readonly action: 'handed_on'; readonly room: string; readonly queue: string }
  | { readonly action: 'failed'; readonly room: string; readonly why: string };

/**
 * The webhook listener: on a ringing caller joining, waits, then hands the
 * caller on if no agent came. Resolves with what it did.
 *
 * @example
 * const handOn = createNoAgentHandOn({ routing, listParticipants, claim, transferCaller, store, count });
 * void handOn(event); // on every LiveKit webhook
 */
export function createNoAgentHandOn(
  deps: HandOnDeps,
): (event: WebhookEvent) => Promise<HandOnDecision> {
  const trunk = deps.routing.inboundTrunk;
  const afterMs = deps.afterMs ?? Math.max(0, trunk.ringTimeoutSeconds * 1000 - HAND_ON_LEAD_MS);
  const pollMs = deps.pollMs ?? 100;
  const answerTimeoutMs = deps.answerTimeoutMs ?? 3000;
  return async (event) => {
    const joined = event.participant;
    const room = event.room?.name;
    if (trunk.whenNoAgent !== 'queue') return { action: 'none', why: 'the trunk refuses instead' };
    if (event.event !== 'participant_joined' || !joined || !room)
      return { action: 'none', why: 'not a participant joining' };
    if (
      joined.kind !== ParticipantInfo_Kind.SIP ||
      joined.attributes[sipAttributes.callStatus] !== 'ringing'
    )
      return { action: 'none', why: 'not a ringing caller' };
    const route = routeOfCall(deps.routing, room, joined.attributes);
    const queue = route && deps.routing.queues[route.humanQueue];
    if (!route || !queue) return { action: 'none', why: 'no route for this call' };
    // The webhook can arrive late under load: the wait counts from the join livekit-server saw,
    // never longer than afterMs from now (the two clocks may differ).
    const joinedMs = Number(joined.joinedAtMs) || Number(joined.joinedAt) * 1000 || Date.now();
    const heardAfterMs = Date.now() - joinedMs;
    const startedAt = new Date(Math.min(joinedMs, Date.now())).toISOString();
    await sleep(Math.min(afterMs, Math.max(0, joinedMs + afterMs - Date.now())));
    const waiting = await ringingWithoutAgent(deps, room, joined.identity);
    if (waiting.why !== undefined) return { action: 'none', why: waiting.why };
    const claimStarted = Date.now();
    const claimed = await deps.claim(room);
    const claimMs = Date.now() - claimStarted;
    const transfers: NewCall['transfers'][number][] = [];
    let caller: ParticipantInfo | undefined;
    try {
      // An agent that joined before the claim keeps the call; one joining after it waits for this.
      const claimedCheck = await ringingWithoutAgent(deps, room, joined.identity);
      if (claimedCheck.why !== undefined) return { action: 'none', why: claimedCheck.why };
      caller = claimedCheck.caller;
      log.warn('no agent took the call; handing the caller to the queue', {
        room,
        route: route.name,
        queue: route.humanQueue,
        heardAfterMs,
        sinceJoinMs: Date.now() - joinedMs,
        claimMs,
      });
      const answerStarted = Date.now();
      await claimed.answer();
      if (!(await answeredWithin(deps, room, caller.identity, pollMs, answerTimeoutMs)))
        return await finish('failed', 'livekit-sip did not answer the caller');
      log.info('caller answered for the hand-on', {
        room,
        sinceJoinMs: Date.now() - joinedMs,
        answerMs: Date.now() - answerStarted,
      });
      const answeredAt = new Date().toISOString();
      const referTo = queueReferTo(deps.routing, route.name, caller.attributes, NO_AGENT);
      for (const target of [queue.target, ...queue.alternates]) {
        const began = Date.now();
        try {
          await deps.transferCaller(room, caller.identity, referTo(target), {
            'X-AI-Transfer-Reason': NO_AGENT,
          });
          transfers.push(attempt(target, began, { status: 'completed' }));
          return await finish('transferred', undefined, answeredAt);
        } catch (err) {
          const outcome = classifyTransferError(err);
          transfers.push(attempt(target, began, outcome));
          log.warn('handing the caller to the queue failed', { room, target, outcome });
          if (!nextTargetIsSafe(outcome)) break;
        }
      }
      return await finish('failed', 'no transfer target took the caller', answeredAt);
    } finally {
      await claimed.leave().catch(() => undefined);
    }

    function attempt(
      target: string,
      began: number,
      outcome: Readonly<{
        status: NewCall['transfers'][number]['status'];
        sipStatus?: number | undefined;
      }>,
    ): NewCall['transfers'][number] {
      return {
        queue: route!.humanQueue,
        target,
        startedAt: new Date(began).toISOString(),
        durationMs: Date.now() - began,
        status: outcome.status,
        ...(outcome.sipStatus ? { sipStatus: outcome.sipStatus } : {}),
      };
    }

    async function finish(
      outcome: 'transferred' | 'failed',
      why: string | undefined,
      answeredAt?: string,
    ): Promise<HandOnDecision> {
      const endedAt = new Date().toISOString();
      const call = callerContext(caller!.attributes);
      const record: NewCall = {
        room: room!.slice(0, 200),
        jobId: NO_AGENT_JOB,
        sipCallId: (call?.sipCallId ?? caller!.identity).slice(0, 200),
        ...(call?.conversationId ? { genesysConversationId: call.conversationId } : {}),
        ...(call?.conversationIdProblem
          ? { genesysConversationIdProblem: call.conversationIdProblem }
          : {}),
        route: route!.name,
        persona: route!.persona,
        startedAt,
        endedAt,
        outcome,
        escalationReason: NO_AGENT,
        transfers,
        latency: { turns: 0 },
        timeline: [
          { at: startedAt, event: 'ringing' },
          ...(answeredAt ? [{ at: answeredAt, event: 'answered' }] : []),
          { at: endedAt, event: outcome === 'transferred' ? 'transferred' : 'handoff_failed' },
        ],
      };
      const result = await deps.store(record);
      if (result.status === 'created') {
        deps.count(route!.name, outcome);
        deps.stored?.();
      }
      return outcome === 'transferred'
        ? { action: 'handed_on', room: room!, queue: route!.humanQueue }
        : { action: 'failed', room: room!, why: why ?? 'failed' };
    }
  };
}

/** The caller when still ringing with no agent in the room, else why the hand-on stops. */
async function ringingWithoutAgent(
  deps: Pick<HandOnDeps, 'listParticipants'>,
  room: string,
  identity: string,
): Promise<{ caller: ParticipantInfo; why?: undefined } | { why: string }> {
  const present = await deps.listParticipants(room);
  const caller = present.find((p) => p.identity === identity);
  if (!caller || caller.attributes[sipAttributes.callStatus] !== 'ringing')
    return { why: 'the caller was answered or is gone' };
  if (present.some((p) => p.kind === ParticipantInfo_Kind.AGENT))
    return { why: 'an agent is taking the call' };
  return { caller };
}

/** Whether livekit-sip reports the caller answered (`active`) within the timeout. */
async function answeredWithin(
  deps: Pick<HandOnDeps, 'listParticipants'>,
  room: string,
  identity: string,
  pollMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const caller = (await deps.listParticipants(room)).find((p) => p.identity === identity);
    if (!caller) return false;
    if (caller.attributes[sipAttributes.callStatus] === 'active') return true;
    await sleep(pollMs);
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
