/**
 * How dispatch answers a ringing caller it hands on: it joins the call's room
 * as `dispatch-answer-<room>` with one silent audio track, which
 * livekit-sip subscribes to and so answers the INVITE (200 OK). It never
 * subscribes to anything itself. rtc-node (a native library) is loaded on
 * the first call handed on, so a dispatch that only refuses never loads it.
 */
import { AccessToken } from 'livekit-server-sdk';

/** The identity prefix of dispatch's answering participant. */
export const ANSWERER_IDENTITY = 'dispatch-answer';

/**
 * @example
 * const answer = roomAnswerer(config.livekit);
 * const answered = await answer('call-main-_4321_x'); // livekit-sip sends 200 OK
 * await answered.leave();
 */
export function roomAnswerer(
  livekit: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>,
): (room: string) => Promise<Readonly<{ leave: () => Promise<void> }>> {
  const wsUrl = livekit.apiUrl.replace(/^http/, 'ws');
  return async (roomName) => {
    const token = new AccessToken(livekit.apiKey, livekit.apiSecret, {
      identity: `${ANSWERER_IDENTITY}-${roomName}`.slice(0, 128),
      ttl: '5m',
    });
    token.addGrant({ room: roomName, roomJoin: true, canPublish: true, canSubscribe: false });
    const { AudioSource, LocalAudioTrack, Room, TrackPublishOptions, TrackSource } =
      await import('@livekit/rtc-node');
    const room = new Room();
    await room.connect(wsUrl, await token.toJwt(), { autoSubscribe: false, dynacast: false });
    const source = new AudioSource(16_000, 1);
    try {
      const track = LocalAudioTrack.createAudioTrack('answer', source);
      await room.localParticipant?.publishTrack(
        track,
        new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
      );
    } catch (err) {
      await room.disconnect().catch(() => undefined);
      throw err;
    }
    return {
      leave: async () => {
        await room.disconnect();
        await source.close().catch(() => undefined);
      },
    };
  };
}
