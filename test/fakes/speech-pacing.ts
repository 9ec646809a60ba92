/**
 * How the FAKE ElevenLabs delivers one piece of text as audio: the
 * profile's first-audio latency, then chunks cut from the speech clip,
 * paced no faster than the profile's speed-up over real time.
 */
import { pause, type LatencyProfile } from './latency.ts';
import { replyMs } from './speech-clip.ts';

export type SpeechChunk = Readonly<{
  pcm: Buffer;
  /** The characters of the text this chunk "says", and when (ms from the start of the text's audio). */
  chars: readonly string[];
  charStartMs: readonly number[];
  charDurationMs: readonly number[];
}>;

export type PaceOptions = Readonly<{
  text: string;
  sampleRate: number;
  profile: LatencyProfile;
  take: (samples: number) => Buffer;
  /** When the text was committed; the first audio is due `ttsFirstAudioMs` after it. */
  committedAt: number;
  signal: AbortSignal;
  send: (chunk: SpeechChunk) => void;
}>;

/**
 * Sends `text` as paced chunks; resolves with the audio length in ms once
 * the last chunk is sent, rejects when `signal` aborts.
 *
 * @example
 * await paceSpeech({ text: 'Hello.', sampleRate: 16000, profile, take: voice.take, committedAt: Date.now(), signal, send });
 */
export async function paceSpeech(opts: PaceOptions): Promise<number> {
  const { profile, sampleRate, text } = opts;
  const totalMs = replyMs(text);
  const chunks = Math.max(1, Math.ceil(totalMs / profile.ttsChunkMs));
  const chars = [...text];
  const msPerChar = chars.length > 0 ? totalMs / chars.length : 0;
  await pause(opts.committedAt + profile.ttsFirstAudioMs - Date.now(), opts.signal);
  const started = Date.now();
  for (let i = 0; i < chunks; i++) {
    const fromMs = i * profile.ttsChunkMs;
    const toMs = Math.min(totalMs, fromMs + profile.ttsChunkMs);
    const samples = Math.round(((toMs - fromMs) * sampleRate) / 1000);
    const first = Math.floor((i * chars.length) / chunks);
    const last = Math.floor(((i + 1) * chars.length) / chunks);
    const these = chars.slice(first, last);
    opts.send({
      pcm: opts.take(samples),
      chars: these,
      charStartMs: these.map((_, j) => Math.round((first + j) * msPerChar)),
      charDurationMs: these.map(() => Math.round(msPerChar)),
    });
    if (i + 1 < chunks) {
      const dueAt = started + toMs / Math.max(profile.ttsSpeedup, 0.01);
      await pause(dueAt - Date.now(), opts.signal);
    }
  }
  return totalMs;
}
