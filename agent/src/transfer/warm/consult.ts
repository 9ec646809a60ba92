/**
 * Warm (consultative) transfer on self-hosted LiveKit, where
 * `RoomService.moveParticipant` does not exist: everything happens in the
 * caller's room.
 *
 * 1. Hold: the agent publishes a hold chime; the caller's own track is
 *    admin-muted (the human can never hear the caller, whenever they join)
 *    and the caller is unsubscribed from the agent's voice.
 * 2. Dial: the human is called through the outbound trunk into the room. As
 *    soon as their track appears the caller is unsubscribed from it, and
 *    that is re-asserted every 500 ms until the merge: livekit-sip subscribes
 *    to every audio track itself, and an unsubscribe that reaches the server
 *    before that subscribe is lost.
 * 3. Consult: once the human answers the agent speaks the summary; only the
 *    human hears it. The human is kept off the hold track the same way.
 * 4. Merge: the hold stops, the caller hears the human and is unmuted, the
 *    room is marked as a bridge (dispatch closes it when either leg leaves)
 *    and the agent leaves. Both SIP legs stay up through LiveKit.
 *
 * Any failure returns the caller to the agent, unmuted and off hold.
 */
import {
  RoomEvent,
  TrackKind,
  type RemoteParticipant,
  type RemoteTrackPublication,
  type Room,
} from '@livekit/rtc-node';
import { SipCallError } from 'livekit-server-sdk';
import { encodeBridgeMetadata } from '../../../../contracts/bridge.ts';
import type { CallLogger } from '../../observability/call-logger.ts';
import type { TransferOutcome } from '../../../../contracts/transfer-outcome.ts';
import type { HoldAudio } from './hold-audio.ts';

/** The RoomService calls the consult makes (a `RoomServiceClient` in production). */
export type ConsultRooms = Readonly<{
  updateSubscriptions: (
    room: string,
    identity: string,
    trackSids: string[],
    subscribe: boolean,
  ) => Promise<unknown>;
  mutePublishedTrack: (
    room: string,
    identity: string,
    trackSid: string,
    muted: boolean,
  ) => Promise<unknown>;
  updateRoomMetadata: (room: string, metadata: string) => Promise<unknown>;
  removeParticipant: (room: string, identity: string) => Promise<unknown>;
}>;

export type ConsultRequest = Readonly<{
  roomName: string;
  callerIdentity: string;
  /** Identity the human's SIP leg gets in the room. */
  humanIdentity: string;
  /** Dials the human into the room; resolves when they answer, rejects otherwise. */
  dial: () => Promise<unknown>;
  /** Speaks the summary to the human and resolves once it has played. */
  speakSummary: () => Promise<void>;
  startHold: () => Promise<HoldAudio>;
  /** SID of the agent's voice track (the session's audio output). */
  agentVoiceTrackSid: () => string | undefined;
}>;

/** What the consult reports; `completed` means caller and human are connected. */
export type ConsultResult = Readonly<{ outcome: TransferOutcome; answeredAt: number | undefined }>;

const REASSERT_MS = 500;
/** The human says hello when they pick up; the summary starts after it. */
const AFTER_ANSWER_MS = 1_000;

/**
 * @example
 * const result = await consult(ctx.room, new RoomServiceClient(url, key, secret), log, {
 *   roomName, callerIdentity, humanIdentity: `human-${sipCallId}`,
 *   dial: () => sip.createSipParticipant(trunkId, '+18005550170', roomName, { participantIdentity, waitUntilAnswered: true }),
 *   speakSummary: () => session.say(summary).waitForPlayout(),
 *   startHold: () => startHoldAudio(ctx.room),
 *   agentVoiceTrackSid: () => voiceSid,
 * });
 */
export async function consult(
  room: Pick<Room, 'on' | 'off' | 'remoteParticipants'>,
  rooms: ConsultRooms,
  log: CallLogger,
  req: ConsultRequest,
): Promise<ConsultResult> {
  const { roomName, callerIdentity, humanIdentity } = req;
  const callerTrack = audioTrackSid(room.remoteParticipants.get(callerIdentity));
  const voice = req.agentVoiceTrackSid();
  if (!callerTrack) {
    return {
      outcome: { status: 'error', message: 'caller has no audio track' },
      answeredAt: undefined,
    };
  }
  let humanTrack: string | undefined;
  let hold: HoldAudio | undefined;
  let answered = false;
  const isolate = () => {
    if (humanTrack)
      void rooms
        .updateSubscriptions(roomName, callerIdentity, [humanTrack], false)
        .catch(() => undefined);
    if (answered && hold?.trackSid)
      void rooms
        .updateSubscriptions(roomName, humanIdentity, [hold.trackSid], false)
        .catch(() => undefined);
  };
  const onTrack = (pub: RemoteTrackPublication, participant: RemoteParticipant) => {
    if (participant.identity !== humanIdentity || pub.kind !== TrackKind.KIND_AUDIO || !pub.sid)
      return;
    humanTrack = pub.sid;
    isolate();
    setTimeout(isolate, 250).unref();
  };
  room.on(RoomEvent.TrackPublished, onTrack);
  const reassert = setInterval(isolate, REASSERT_MS);
  reassert.unref();
  const restoreCaller = async () => {
    await Promise.allSettled([
      rooms.mutePublishedTrack(roomName, callerIdentity, callerTrack, false),
      voice ? rooms.updateSubscriptions(roomName, callerIdentity, [voice], true) : undefined,
    ]);
  };
  const finish = () => {
    clearInterval(reassert);
    room.off(RoomEvent.TrackPublished, onTrack);
  };

  const startedAt = Date.now();
  try {
    hold = await req.startHold();
    await rooms.mutePublishedTrack(roomName, callerIdentity, callerTrack, true);
    if (voice) await rooms.updateSubscriptions(roomName, callerIdentity, [voice], false);
    log.info({ humanIdentity }, 'warm transfer: caller on hold, dialling the human');

    try {
      await req.dial();
    } catch (err) {
      finish();
      await rooms.removeParticipant(roomName, humanIdentity).catch(() => undefined);
      await hold.stop();
      await restoreCaller();
      const outcome = dialOutcome(err);
      log.warn(
        { outcome, ringMs: Date.now() - startedAt },
        'warm transfer: the human was not reached',
      );
      return { outcome, answeredAt: undefined };
    }
    answered = true;
    const answeredAt = Date.now();
    // The human's track exists by now; make sure of it before anyone speaks.
    humanTrack ??= audioTrackSid(room.remoteParticipants.get(humanIdentity));
    isolate();
    log.info({ ringMs: answeredAt - startedAt }, 'warm transfer: human answered');
    await new Promise((r) => setTimeout(r, AFTER_ANSWER_MS));
    await req.speakSummary();
    log.info({}, 'warm transfer: summary spoken to the human');

    finish();
    await hold.stop();
    if (!humanTrack) throw new Error('the human has no audio track');
    await rooms.updateSubscriptions(roomName, callerIdentity, [humanTrack], true);
    await rooms.mutePublishedTrack(roomName, callerIdentity, callerTrack, false);
    await rooms.updateRoomMetadata(
      roomName,
      encodeBridgeMetadata({ caller: callerIdentity, human: humanIdentity }),
    );
    log.info({ humanIdentity }, 'warm transfer: caller and human connected');
    return { outcome: { status: 'completed' }, answeredAt };
  } catch (err) {
    finish();
    await rooms.removeParticipant(roomName, humanIdentity).catch(() => undefined);
    await hold?.stop();
    await restoreCaller();
    log.error(
      { error: (err as Error).message },
      'warm transfer failed; caller back with the agent',
    );
    return { outcome: { status: 'error', message: (err as Error).message }, answeredAt: undefined };
  }
}

function audioTrackSid(participant: RemoteParticipant | undefined): string | undefined {
  for (const pub of participant?.trackPublications.values() ?? []) {
    if (pub.kind === TrackKind.KIND_AUDIO && pub.sid) return pub.sid;
  }
  return undefined;
}

/** A dial that failed: declined (SIP status), not answered in time, or not placed at all. */
export function dialOutcome(err: unknown): TransferOutcome {
  if (err instanceof SipCallError && err.sipStatusCode !== undefined) {
    return {
      status: 'refused',
      sipStatus: err.sipStatusCode,
      message: `the human's line answered ${err.sipStatusCode} ${err.sipStatus ?? ''}`.trim(),
    };
  }
  const message = (err as Error)?.message ?? String(err);
  if (
    /timed out|timeout|deadline|cancel/i.test(message) ||
    (err as { code?: string })?.code === 'canceled'
  )
    return { status: 'timed_out', message: 'the human did not answer in time' };
  return { status: 'error', message };
}
