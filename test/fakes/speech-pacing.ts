/**
 * How the FAKE ElevenLabs delivers one piece of text as audio: the
 * profile's first-audio latency, then chunks cut from the speech clip,
 * paced no faster than the profile's speed-up over real time.
 */
import { pause, type LatencyProfile } from './latency.ts';
import { replyMs } from './speech-clip.ts';
import type { SpeechSource } from './speech-source.ts';

export type SpeechChunk = Readonly<{
  /** Encoded audio (PCM or MP3 frames). */
  audio: Buffer;
  /** How long `audio` plays. */
  ms: number;
  /** The characters of the text this chunk "says", and when (ms from the start of the text's audio). */
  chars: readonly string[];
  charStartMs: readonly number[];
  charDurationMs: readonly number[];
}>;

export type PaceOptions = Readonly<{
  text: string;
  source: SpeechSource;
  profile: LatencyProfile;
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
 * await paceSpeech({ text: 'Hello.', source: speechSource(format), profile, committedAt: Date.now(), signal, send });
 */
export async function paceSpeech(opts: PaceOptions): Promise<number> {
  const { profile, text } = opts;
  const totalMs = replyMs(text);
  const chars = [...text];
  const msPerChar = chars.length > 0 ? totalMs / chars.length : 0;
  const charAt = (ms: number) => Math.min(chars.length, Math.floor(ms / (msPerChar || 1)));
  await pause(opts.committedAt + profile.ttsFirstAudioMs - Date.now(), opts.signal);
  const started = Date.now();
  let sent = 0;
  while (sent < totalMs - 0.5) {
    const piece = opts.source.take(Math.min(profile.ttsChunkMs, totalMs - sent));
    const first = charAt(sent);
    const end = sent + piece.ms >= totalMs - 0.5 ? chars.length : charAt(sent + piece.ms);
    const these = chars.slice(first, end);
    opts.send({
      audio: piece.data,
      ms: piece.ms,
      chars: these,
      charStartMs: these.map((_, j) => Math.round((first + j) * msPerChar)),
      charDurationMs: these.map(() => Math.round(msPerChar)),
    });
    sent += piece.ms;
    if (sent < totalMs - 0.5)
      await pause(started + sent / Math.max(profile.ttsSpeedup, 0.01) - Date.now(), opts.signal);
  }
  return sent;
}
