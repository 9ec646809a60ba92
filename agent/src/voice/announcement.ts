/**
 * Plays recorded audio to the room on a track of its own, outside the agent
 * session: what the caller hears when the session itself may be what failed
 * (a provider error past its retries closes it). livekit-sip mixes every audio
 * track in the room into the call, so the caller hears it like any speech,
 * but only once it has subscribed to the new track: frames captured before
 * that are dropped by the SFU, and on a loaded host the subscription can take
 * longer than the announcement lasts.
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
 * How long an announcement waits for the bridge to subscribe to its track
 * before it plays regardless. A subscription takes tens of milliseconds on
 * a quiet host and seconds on a saturated one; past this the caller is better
 * served by the handoff that follows than by more silence.
 */
export const SUBSCRIBE_WAIT_MS = 3000;

/**
 * Publishes `frames` as track `name`, waits until the track is subscribed
 * (at most `subscribeWaitMs`, default {@link SUBSCRIBE_WAIT_MS}), waits for
 * them to play out, then unpublishes. Resolves (never rejects) once done or
 * if it could not publish.
 *
 * @example
 * const frames = await greetings.frames({ persona: '_system', text: apology, speaker: stack.offlineSpeaker });
 * await playAnnouncement(ctx.room, frames, 'apology');
 */
export async function playAnnouncement(
  room: Pick<Room, 'localParticipant'>,
  frames: readonly AudioFrame[],
  name: string,
  opts: Readonly<{ subscribeWaitMs?: number }> = {},
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
    await subscribed(publication, opts.subscribeWaitMs ?? SUBSCRIBE_WAIT_MS);
    for (const frame of frames) await source.captureFrame(frame);
    await source.waitForPlayout();
  } finally {
    if (publication.sid) await participant.unpublishTrack(publication.sid).catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}

/** Resolves once someone subscribed to `publication`, or after `ms`. */
async function subscribed(
  publication: { waitForSubscription(): Promise<void> },
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    publication.waitForSubscription().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
