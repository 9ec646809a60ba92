/**
 * What a caller hears on hold during a warm transfer: a soft G-major chime
 * (392, 494, 587 Hz, 1.2 s with a gentle envelope, then 1.8 s of quiet), on
 * a track of its own so the human being consulted can be kept from hearing
 * it. Generated, not a file: nothing to license or ship.
 */
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type Room,
} from '@livekit/rtc-node';

export const HOLD_SAMPLE_RATE = 16_000;
const FRAME_SAMPLES = HOLD_SAMPLE_RATE / 50; // 20 ms
/** Frequencies of the chime; tests tell hold audio from voices by them. */
export const HOLD_TONES_HZ = Object.freeze([392, 494, 587]);

/** One 3 s cycle of the hold chime, as 20 ms frames. */
export function holdCycle(): AudioFrame[] {
  const total = HOLD_SAMPLE_RATE * 3;
  const toneSamples = Math.round(HOLD_SAMPLE_RATE * 1.2);
  const pcm = new Int16Array(total);
  for (let i = 0; i < toneSamples; i++) {
    const t = i / HOLD_SAMPLE_RATE;
    // 50 ms attack, exponential decay: a chime, not a drone.
    const envelope = Math.min(1, t / 0.05) * Math.exp(-2.5 * t);
    const sum = HOLD_TONES_HZ.reduce((acc, f) => acc + Math.sin(2 * Math.PI * f * t), 0);
    pcm[i] = Math.round((sum / HOLD_TONES_HZ.length) * envelope * 6000);
  }
  const frames: AudioFrame[] = [];
  for (let at = 0; at < total; at += FRAME_SAMPLES) {
    frames.push(
      new AudioFrame(pcm.slice(at, at + FRAME_SAMPLES), HOLD_SAMPLE_RATE, 1, FRAME_SAMPLES),
    );
  }
  return frames;
}

export type HoldAudio = Readonly<{
  /** The hold track's SID once published. */
  trackSid: string;
  /** Stops the chime and unpublishes the track. Safe to call twice. */
  stop: () => Promise<void>;
}>;

/**
 * Publishes the hold chime, looping until stopped.
 *
 * @example
 * const hold = await startHoldAudio(ctx.room);
 * // ... consult the human ...
 * await hold.stop();
 */
export async function startHoldAudio(room: Pick<Room, 'localParticipant'>): Promise<HoldAudio> {
  const participant = room.localParticipant;
  if (!participant) throw new Error('not connected to the room');
  const source = new AudioSource(HOLD_SAMPLE_RATE, 1);
  const track = LocalAudioTrack.createAudioTrack('hold', source);
  const publication = await participant.publishTrack(
    track,
    new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
  );
  const cycle = holdCycle();
  let playing = true;
  const loop = (async () => {
    while (playing) {
      for (const frame of cycle) {
        if (!playing) break;
        await source.captureFrame(frame);
      }
    }
  })().catch(() => undefined);
  let stopped: Promise<void> | undefined;
  return {
    trackSid: publication.sid ?? '',
    stop: () =>
      (stopped ??= (async () => {
        playing = false;
        source.clearQueue();
        await loop;
        if (publication.sid)
          await participant.unpublishTrack(publication.sid).catch(() => undefined);
        await source.close().catch(() => undefined);
      })()),
  };
}
