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
import { extname, join } from 'node:path';

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
  /** The clip as a WAV file at `rate` Hz (what an encoder starts from). */
  wavAt: (rate: number) => string;
  /** The directory the renderings are cached in. */
  dir: string;
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
  renderOnce(wav, (partial) =>
    execFileSync('flite', ['-voice', FLITE_VOICE, '-t', CLIP_TEXT, '-o', partial]),
  );
  const byRate = new Map<number, Int16Array>();
  const wavAt = (rate: number) => join(dir, `${key}-${rate}.wav`);
  for (const rate of CLIP_RATES) {
    renderOnce(wavAt(rate), (partial) =>
      execFileSync('sox', [
        wav,
        '-t',
        'wav',
        '-r',
        String(rate),
        '-c',
        '1',
        '-e',
        'signed',
        '-b',
        '16',
        partial,
      ]),
    );
    const bytes = readFileSync(wavAt(rate));
    const pcm = bytes.subarray(wavDataOffset(bytes));
    byRate.set(rate, new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2)));
  }
  loaded = Object.freeze({
    dir,
    wavAt: (rate: number) => {
      if (!byRate.has(rate)) throw new Error(`FAKE ElevenLabs: no speech clip at ${rate} Hz`);
      return wavAt(rate);
    },
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

/** Writes `path` through `render(partialPath)` unless it exists; concurrent processes never see half a file. */
function renderOnce(path: string, render: (partial: string) => void): void {
  if (existsSync(path)) return;
  const partial = `${path}.${process.pid}.tmp${extname(path)}`;
  render(partial);
  renameSync(partial, path);
}

/** Where the samples of a PCM WAV file start (after its `data` chunk header). */
function wavDataOffset(bytes: Buffer): number {
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = bytes.subarray(at, at + 4).toString('latin1');
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'data') return at + 8;
    at += 8 + size + (size % 2);
  }
  throw new Error('FAKE ElevenLabs: speech clip WAV has no data chunk');
}
