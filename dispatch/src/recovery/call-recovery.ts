/**
 * A caller is never left alone in a room: when an agent leaves a call it had
 * not decided (it crashed, or was OOM-killed), dispatch sends a replacement
 * agent with the route's persona and a `recovery` attempt number, which
 * apologizes and carries on. After `maxAttempts` replacements, dispatch hands
 * the caller to the route's human queue itself: a REFER to the queue's target,
 * then each alternate, carrying the call's UUI and reason `agent_failure` (in
 * the UUI and `X-AI-Transfer-Reason`). When no target takes the caller, an
 * agent is sent again rather than leaving them in silence.
 */
import { ParticipantInfo_Kind, type ParticipantInfo, type WebhookEvent } from '@livekit/protocol';
import { parseBridgeMetadata } from '../../../contracts/bridge.ts';
import {
  encodeDispatchMetadata,
  parseDispatchMetadata,
  type DispatchMetadata,
} from '../../../contracts/dispatch-metadata.ts';
import { routeOfCall } from '../../../contracts/call-route.ts';
import { isAnswerer } from '../../../contracts/hand-on.ts';
import { classifyTransferError, nextTargetIsSafe } from '../../../contracts/transfer-outcome.ts';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import {
  AGENT_ATTRIBUTES,
  recoveryAttempts,
  recoveryMetadata,
} from '../../../contracts/recovery.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { log } from '../log.ts';
import { queueReferTo, type TransferCaller } from '../queue-refer.ts';

const AGENT_FAILURE: HandoffReason = 'agent_failure';
/** Replacement agents a call may get in all (the dispatch metadata's `recovery.attempt` bound). */
const MAX_RECOVERY_ATTEMPTS = 10;

export type RecoveryDeps = Readonly<{
  routing: RoutingConfig;
  listParticipants: (room: string) => Promise<ParticipantInfo[]>;
  updateRoomMetadata: (room: string, metadata: string) => Promise<unknown>;
  /** Explicit agent dispatch into the room (AgentDispatchClient.createDispatch). */
  dispatchAgent: (room: string, agentName: string, metadata: string) => Promise<unknown>;
  transferCaller: TransferCaller;
  /** Replacement agents per call before handing the caller to a person. Default 2. */
  maxAttempts?: number;
  /** How long the room gets to settle (a REFER completing, the caller hanging up). Default 1.5 s. */
  settleMs?: number;
}>;

export type RecoveryDecision =
  | { readonly action: 'none'; readonly why: string }
  | { readonly action: 'redispatch'; readonly room: string; readonly attempt: number }
  | { readonly action: 'handoff'; readonly room: string; readonly queue: string };

/**
 * @example
 * const recover = createCallRecovery({ routing, listParticipants, updateRoomMetadata, dispatchAgent, transferCaller });
 * // on every LiveKit webhook:
 * await recover(event); // { action: 'redispatch', room: 'call-main-_4321_x', attempt: 1 }
 */
export function createCallRecovery(
  deps: RecoveryDeps,
): (event: WebhookEvent) => Promise<RecoveryDecision> {
  const maxAttempts = deps.maxAttempts ?? 2;
  const settleMs = deps.settleMs ?? 1500;
  return async (event) => {
    const agent = event.participant;
    const roomName = event.room?.name;
    if (event.event !== 'participant_left' || !agent || !roomName)
      return { action: 'none', why: 'not a participant leaving' };
    if (agent.kind !== ParticipantInfo_Kind.AGENT) return { action: 'none', why: 'not an agent' };
    const phase = agent.attributes[AGENT_ATTRIBUTES.phase];
    if (phase === 'transferred' || phase === 'ending')
      return { action: 'none', why: `agent left after deciding (${phase})` };
    if (parseBridgeMetadata(event.room?.metadata)) return { action: 'none', why: 'bridged room' };
    await new Promise((r) => setTimeout(r, settleMs));
    const present = await deps.listParticipants(roomName);
    const caller = present.find((p) => p.kind === ParticipantInfo_Kind.SIP);
    // An agent that died while setting the call up never named its route: the
    // room (the dispatch rule's prefix) or the dialled number tells it.
    const route =
      deps.routing.routes.find((r) => r.name === agent.attributes[AGENT_ATTRIBUTES.route]) ??
      routeOfCall(deps.routing, roomName, caller?.attributes);
    if (!route) return { action: 'none', why: 'no route for this call' };
    if (!caller) return { action: 'none', why: 'the caller is gone' };
    if (present.some((p) => p.kind === ParticipantInfo_Kind.AGENT))
      return { action: 'none', why: 'another agent is serving the call' };
    if (present.some((p) => isAnswerer(p.identity)))
      return { action: 'none', why: 'dispatch is handing the caller to the queue' };

    const attempt = recoveryAttempts(event.room?.metadata) + 1;
    if (attempt > MAX_RECOVERY_ATTEMPTS)
      return { action: 'none', why: 'every recovery was tried; the call is left as it is' };
    await deps.updateRoomMetadata(roomName, recoveryMetadata(attempt));
    const redispatch = async (): Promise<RecoveryDecision> => {
      // The replacement gets the job the failed agent had (persona, context,
      // direction), or the route's defaults when that is unreadable.
      const previous = previousJob(agent.attributes[AGENT_ATTRIBUTES.metadata]);
      await deps.dispatchAgent(
        roomName,
        deps.routing.agentName,
        encodeDispatchMetadata({
          ...(previous ?? {
            v: 1,
            route: route.name,
            persona: route.persona,
            humanQueue: route.humanQueue,
            values: { ...route.metadata },
          }),
          recovery: { attempt },
        }),
      );
      return { action: 'redispatch', room: roomName, attempt };
    };
    if (attempt <= maxAttempts) {
      log.warn('agent left a call undecided; sending a new agent', {
        room: roomName,
        route: route.name,
        attempt,
        phase: phase ?? 'unknown',
      });
      return redispatch();
    }

    const queue = deps.routing.queues[route.humanQueue];
    if (!queue) return redispatch();
    log.error('agents keep failing on this call; handing the caller to a person', {
      room: roomName,
      route: route.name,
      queue: route.humanQueue,
      attempts: attempt - 1,
    });
    const referTo = queueReferTo(deps.routing, route.name, caller.attributes, AGENT_FAILURE);
    for (const target of [queue.target, ...queue.alternates]) {
      try {
        await deps.transferCaller(roomName, caller.identity, referTo(target), {
          'X-AI-Transfer-Reason': AGENT_FAILURE,
        });
        return { action: 'handoff', room: roomName, queue: route.humanQueue };
      } catch (err) {
        const outcome = classifyTransferError(err);
        log.warn('handing the caller to a person failed', { room: roomName, target, outcome });
        // Genesys may have taken the call after all: never a second target then.
        if (!nextTargetIsSafe(outcome))
          return { action: 'none', why: 'the transfer may be under way' };
      }
    }
    // No target took the caller: an agent again, rather than silence.
    log.error('no transfer target took the caller; sending a new agent', {
      room: roomName,
      attempt,
    });
    return redispatch();
  };
}

function previousJob(metadata: string | undefined): DispatchMetadata | undefined {
  if (!metadata) return undefined;
  try {
    return parseDispatchMetadata(metadata);
  } catch {
    return undefined;
  }
}
