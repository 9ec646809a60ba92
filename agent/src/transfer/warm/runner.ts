/**
 * A call's warm transfers: binds the consult (consult.ts) to
 * this call's room, session and the routing file's outbound trunk. The human
 * is dialled with the same context Genesys gets on a blind transfer: UUI
 * (reason, route, context record id, the caller's fields) and
 * X-AI-Transfer-Reason on the INVITE, so the screen pop works alike.
 */
import type { Room } from '@livekit/rtc-node';
import type { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { fitUui } from '../../../../contracts/genesys-uui.ts';
import type { RoutingConfig } from '../../../../contracts/routing.ts';
import { OWNED_KEYS, readOwnership } from '../../../../contracts/ownership.ts';
import type { CallLogger } from '../../observability/call-logger.ts';
import { CALLER_LINES } from '../caller-lines.ts';
import { handoffUuiFields } from '../handoff.ts';
import type { TransferAttempt } from '../../../../contracts/transfer-outcome.ts';
import type { HandoffReason } from '../../../../contracts/call-outcome.ts';
import { consult } from './consult.ts';
import { startHoldAudio } from './hold-audio.ts';
import type { CallContext } from '../../../../contracts/call-context.ts';

export type ConsultRunner = (
  queue: string,
  reason: HandoffReason,
  summary: string | undefined,
  contextId: string | undefined,
) => Promise<TransferAttempt>;

/**
 * @example
 * const warm = createConsultRunner({ room: ctx.room, rooms, sip, routing, call, route, callerIdentity, say, log });
 * const attempt = await warm('billing', 'persona_route', 'Jane wants a payment plan', contextId);
 */
export function createConsultRunner(deps: {
  room: Room;
  rooms: RoomServiceClient;
  sip: SipClient;
  routing: RoutingConfig;
  call: CallContext;
  route: string;
  callerIdentity: string;
  /** Says a line through the agent session; resolves once it has played. */
  say: (text: string) => Promise<void>;
  log: CallLogger;
}): ConsultRunner {
  let trunkId: Promise<string | undefined> | undefined;
  const outboundTrunkId = () =>
    (trunkId ??= deps.sip
      .listSipOutboundTrunk()
      .then(
        (trunks) =>
          trunks.find((t) => readOwnership(t.metadata)?.key === OWNED_KEYS.outboundTrunk)
            ?.sipTrunkId,
      )
      .catch(() => undefined));

  return async (queue, reason, summary, contextId) => {
    const startedAt = new Date();
    const settings = deps.routing.queues[queue]?.consult;
    const target = `consult:${settings?.number ?? '?'}`;
    const attempt = (outcome: TransferAttempt['outcome']): TransferAttempt => ({
      queue,
      target,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      outcome,
    });
    const id = await outboundTrunkId();
    const roomName = deps.room.name;
    if (!settings || !id || !roomName) {
      return attempt({
        status: 'error',
        message: 'no outbound trunk provisioned for warm transfers',
      });
    }
    const { header: uui } = fitUui(
      handoffUuiFields({
        room: roomName,
        participantIdentity: deps.callerIdentity,
        queue,
        reason,
        call: deps.call,
        route: deps.route,
        ...(contextId ? { contextId } : {}),
      }),
      deps.routing.transfer.uuiEncoding,
      deps.routing.transfer.uuiMaxBytes,
      deps.routing.transfer.uuiOptions,
    );
    await deps.say(CALLER_LINES.holdForColleague);
    const humanIdentity = `human-${deps.call.sipCallId}`;
    const result = await consult(deps.room, deps.rooms, deps.log, {
      roomName,
      callerIdentity: deps.callerIdentity,
      humanIdentity,
      dial: () =>
        deps.sip.createSipParticipant(id, settings.number, roomName, {
          participantIdentity: humanIdentity,
          participantName: `${queue} agent`,
          playDialtone: false,
          ringingTimeout: settings.ringSeconds,
          waitUntilAnswered: true,
          timeout: settings.ringSeconds + 5,
          headers: {
            ...(uui ? { 'User-to-User': uui } : {}),
            'X-AI-Transfer-Reason': reason,
          },
        }),
      // The caller is isolated by now: only the human hears it.
      speakSummary: () => deps.say(humanBriefing(queue, reason, summary)),
      startHold: () => startHoldAudio(deps.room),
      agentVoiceTrackSid: () =>
        [...(deps.room.localParticipant?.trackPublications.values() ?? [])].find(
          (p) => p.name === 'roomio_audio',
        )?.sid,
    });
    return attempt(result.outcome);
  };
}

const REASON_WORDS: Readonly<Record<HandoffReason, string>> = Object.freeze({
  dtmf_zero: 'pressed zero for a person',
  caller_request: 'asked for a person',
  frustration: 'is frustrated with the automated service',
  out_of_scope: 'needs help I cannot give',
  time_limit: 'reached the time limit with me',
  provider_failure: 'ran into a technical problem with me',
  turn_limit: 'needs more help than I can give',
  silence: 'went quiet',
  persona_route: 'asked for this team',
  agent_failure: 'lost the assistant more than once',
  no_agent: 'reached no assistant',
});

/** What the human hears before the caller is connected. */
export function humanBriefing(
  queue: string,
  reason: HandoffReason,
  summary: string | undefined,
): string {
  const why = summary?.trim() || `The caller ${REASON_WORDS[reason]}.`;
  return `Hello, this is the virtual assistant with a caller for ${queue}. ${why} The details are on your screen. Connecting you now.`;
}
