/**
 * How dispatch answers a ringing caller it hands on, in the two steps of the
 * hand-on handshake (contracts/hand-on.ts): it joins the call's room as
 * `dispatch-answer-<room>` with nothing published (the claim), and, once no
 * agent turned out to be there, marks itself `answering` and publishes one
 * silent audio track, which livekit-sip subscribes to and so answers the
 * INVITE (200 OK). It never subscribes to anything itself. rtc-node (a
 * native library) is loaded on the first call handed on, so a dispatch that
 * only refuses never loads it.
 */
import { AccessToken } from 'livekit-server-sdk';
import {
  ANSWERER_ATTRIBUTE,
  ANSWERER_COMMITTED,
  answererIdentity,
} from '../../../contracts/hand-on.ts';

/** Dispatch in the room, not yet answering: `answer` commits, `leave` backs off (or ends). */
export type RoomClaim = Readonly<{
  answer: () => Promise<void>;
  leave: () => Promise<void>;
}>;

/**
 * @example
 * const claim = roomAnswerer(config.livekit);
 * const claimed = await claim('call-main-_4321_x');
 * await claimed.answer(); // livekit-sip sends 200 OK
 * await claimed.leave();
 */
export function roomAnswerer(
  livekit: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>,
): (room: string) => Promise<RoomClaim> {
  const wsUrl = livekit.apiUrl.replace(/^http/, 'ws');
  return async (roomName) => {
    const token = new AccessToken(livekit.apiKey, livekit.apiSecret, {
      identity: answererIdentity(roomName),
      ttl: '5m',
    });
    token.addGrant({
      room: roomName,
      roomJoin: true,
      canPublish: true,
      canSubscribe: false,
      canUpdateOwnMetadata: true,
    });
    const { AudioSource, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } =
      await import('@livekit/rtc-node');
    const room = new Room();
    await room.connect(wsUrl, await token.toJwt(), { autoSubscribe: false, dynacast: false });
    let source: InstanceType<typeof AudioSource> | undefined;
    return {
      answer: async () => {
        const local = room.localParticipant;
        if (!local) throw new Error('dispatch is not in the room');
        source = new AudioSource(16_000, 1);
        const track = LocalAudioTrack.createAudioTrack('answer', source);
        // Together: an agent waiting on the claim leaves on the attribute whichever lands
        // first, and the caller is answered one signalling round trip sooner.
        await Promise.all([
          local.setAttributes({ [ANSWERER_ATTRIBUTE]: ANSWERER_COMMITTED }),
          local.publishTrack(
            track,
            new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
          ),
        ]);
      },
      leave: async () => {
        await room.disconnect();
        await source?.close().catch(() => undefined);
      },
    };
  };
}
