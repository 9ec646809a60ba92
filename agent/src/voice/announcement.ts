/**
 * Plays recorded audio to the room on a track of its own, outside the agent
 * session: what the caller hears when the session itself may be what failed
 * (a provider error past its retries closes it). livekit-sip mixes every audio
 * track in the room into the call, so the caller hears it like any speech.
 */
import {
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type Room,
} from '@livekit/rtc-node';

/**
 * Publishes `frames` as track `name`, waits for them to play out, then
 * unpublishes. Resolves (never rejects) once done or if it could not publish.
 *
 * @example
 * const frames = await greetings.frames({ persona: '_system', text: apology, speaker: stack.offlineSpeaker });
 * await playAnnouncement(ctx.room, frames, 'apology');
 */
export async function playAnnouncement(
  room: Pick<Room, 'localParticipant'>,
  frames: readonly AudioFrame[],
  name: string,
): Promise<void> {
  const first = frames[0];
  const participant = room.localParticipant;
  if (!first || !participant) return;
  const source = new AudioSource(first.sampleRate, first.channels);
  const track = LocalAudioTrack.createAudioTrack(name, source);
  let publication;
  try {
    publication = await participant.publishTrack(
      track,
      new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
    );
  } catch {
    await source.close().catch(() => undefined);
    return;
  }
  try {
    for (const frame of frames) await source.captureFrame(frame);
    await source.waitForPlayout();
  } finally {
    if (publication.sid) await participant.unpublishTrack(publication.sid).catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}
