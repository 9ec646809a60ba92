/**
 * The FAKE ElevenLabs' voice: one clip of real synthetic speech, rendered
 * once with flite and resampled with sox to each output rate, cached under
 * the OS temp dir. Replies are cut from it (looping), so the fake spends no
 * CPU synthesizing during a call, and the agent receives audio with the
 * energy and rhythm of speech (what its VAD, the bridge's codec and the wire
 * analysis see), not a tone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Output rates the plugins ask for (`pcm_<rate>`). */
export const CLIP_RATES = Object.freeze([8000, 16000, 22050, 24000, 44100, 48000] as const);

/** Reply length per character of text, and the shortest reply. */
export const MS_PER_CHARACTER = 70;
export const MIN_REPLY_MS = 400;

const CLIP_TEXT =
  'Thank you for calling. I can help you with that today. ' +
  'Let me look at your account for a moment, and then I will tell you what I found. ' +
  'Your last payment arrived on time, and there is nothing else due this month. ' +
  'Is there anything else I can do for you before I connect you with a colleague?';
const FLITE_VOICE = 'kal16';

export type SpeechClip = Readonly<{
  /** The clip at `rate` Hz, 16-bit mono; throws for a rate not in {@link CLIP_RATES}. */
  at: (rate: number) => Int16Array;
}>;

let loaded: SpeechClip | undefined;

/**
 * Renders (first run) or reads (later runs) the clip at every rate in
 * {@link CLIP_RATES}. Synchronous and idempotent: call it once at start-up.
 *
 * @example
 * const clip = loadSpeechClip();
 * clip.at(16000).length / 16000; // ~15 s
 */
export function loadSpeechClip(): SpeechClip {
  if (loaded) return loaded;
  const key = createHash('sha256')
    .update(`${FLITE_VOICE}\n${CLIP_TEXT}`)
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'gva-fake-elevenlabs-clip');
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, `${key}.wav`);
  if (!existsSync(wav)) {
    const partial = `${wav}.${process.pid}.tmp.wav`;
    execFileSync('flite', ['-voice', FLITE_VOICE, '-t', CLIP_TEXT, '-o', partial]);
    renameSync(partial, wav);
  }
  const byRate = new Map<number, Int16Array>();
  for (const rate of CLIP_RATES) {
    const raw = join(dir, `${key}-${rate}.s16`);
    if (!existsSync(raw)) {
      const partial = `${raw}.${process.pid}.tmp`;
      execFileSync('sox', [
        wav,
        '-r',
        String(rate),
        '-c',
        '1',
        '-e',
        'signed',
        '-b',
        '16',
        '-t',
        'raw',
        partial,
      ]);
      renameSync(partial, raw);
    }
    const bytes = readFileSync(raw);
    byRate.set(
      rate,
      new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 2)),
    );
  }
  loaded = Object.freeze({
    at: (rate: number) => {
      const clip = byRate.get(rate);
      if (!clip) throw new Error(`FAKE ElevenLabs: no speech clip at ${rate} Hz`);
      return clip;
    },
  });
  return loaded;
}

/**
 * How long the fake speaks `text` for.
 *
 * @example
 * replyMs('Hello.'); // 420
 */
export function replyMs(text: string): number {
  return Math.max(MIN_REPLY_MS, text.trim().length * MS_PER_CHARACTER);
}

/**
 * A reader that hands out consecutive stretches of the clip, looping, so
 * successive replies do not all start with the same syllable.
 *
 * @example
 * const voice = clipReader(clip.at(16000));
 * const pcm = voice.take(16000 * 0.1); // 100 ms
 */
export function clipReader(clip: Int16Array): Readonly<{ take: (samples: number) => Buffer }> {
  let offset = 0;
  return {
    take: (samples: number) => {
      const out = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++) {
        out.writeInt16LE(clip[offset] ?? 0, i * 2);
        offset = (offset + 1) % clip.length;
      }
      return out;
    },
  };
}
