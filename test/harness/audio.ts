/**
 * Caller audio for the simulated Genesys side, and measurements of what the
 * caller heard. Speech comes from Debian's TTS engines, converted with sox to
 * what a phone line carries: 8 kHz G.711 mu-law.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SpeechEngine = 'espeak-ng' | 'flite';

/** Renders `text` to an 8 kHz mu-law WAV at `outFile` (what sipp's rtp_stream plays); '' is silence. */
export function synthesizeCallerSpeech(
  text: string,
  outFile: string,
  engine: SpeechEngine = 'espeak-ng',
  opts: { voice?: string; trailingSilenceSeconds?: number } = {},
): void {
  if (text === '') {
    // A caller who says nothing: line silence (one second unless told).
    generatePhoneAudio(outFile, ['trim', '0', String(opts.trailingSilenceSeconds || 1)]);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'caller-speech-'));
  try {
    const raw = join(dir, 'speech.wav');
    if (engine === 'espeak-ng') {
      execFileSync('espeak-ng', ['-v', opts.voice ?? 'en-us', '-s', '150', '-w', raw, '--', text]);
    } else {
      execFileSync('flite', ['-voice', opts.voice ?? 'kal16', '-t', text, '-o', raw]);
    }
    // A phone line keeps carrying (near) silence after the caller stops talking.
    const pad = opts.trailingSilenceSeconds
      ? ['pad', '0', String(opts.trailingSilenceSeconds)]
      : [];
    execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-e', 'u-law', outFile, ...pad]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** G.711 mu-law byte to 16-bit linear PCM. */
/** Writes 8 kHz mu-law WAV made by sox from nothing (`-n`) through `effects` (silence, tones). */
export function generatePhoneAudio(outFile: string, effects: readonly string[]): void {
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', outFile, ...effects]);
}

export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign && magnitude ? -magnitude : magnitude;
}

export type AudioStats = Readonly<{
  /** Length of all audio received. */
  durationMs: number;
  /** Total length of 20 ms frames whose RMS is clearly above line noise. */
  voicedMs: number;
  peakRms: number;
}>;

/** Measures 8 kHz PCM in 20 ms frames. */
export function audioStats(samples: Int16Array, voicedRms = 300): AudioStats {
  const frame = 160;
  let voiced = 0;
  let peak = 0;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += (samples[j] ?? 0) ** 2;
    const rms = Math.sqrt(sum / frame);
    peak = Math.max(peak, rms);
    if (rms >= voicedRms) voiced++;
  }
  return {
    durationMs: (samples.length / 8000) * 1000,
    voicedMs: voiced * 20,
    peakRms: Math.round(peak),
  };
}

/** One WAV of caller audio, and where each of its parts starts (seconds from the start). */
export type CallerAudio = Readonly<{ file: string; starts: readonly number[] }>;

/**
 * Caller audio as one 8 kHz mu-law WAV: each string said (flite kal16,
 * through G.711), each number that many seconds of line silence.
 *
 * @example
 * const audio = callerAudio(dir, 'call', [6, 'What are your opening hours?', 7, 'What is your website?', 15]);
 * audio.starts[1]; // 6
 */
export function callerAudio(
  dir: string,
  name: string,
  parts: readonly (string | number)[],
): CallerAudio {
  const files = parts.map((part, i) => {
    const file = join(dir, `${name}-${i}.wav`);
    if (typeof part === 'number') generatePhoneAudio(file, ['trim', '0', String(part)]);
    else synthesizeCallerSpeech(part, file, 'flite');
    return file;
  });
  const file = join(dir, `${name}.wav`);
  execFileSync('sox', [...files, file]);
  const starts: number[] = [];
  let at = 0;
  for (const f of files) {
    starts.push(at);
    at += Number(execFileSync('soxi', ['-D', f], { encoding: 'utf8' }).trim());
  }
  return { file, starts };
}

/**
 * A caller's audio as raw 16-bit mono PCM at `rate`: each utterance (flite,
 * through G.711) followed by `pauseSeconds` of line silence.
 *
 * @example
 * const pcm = callerPcm(dir, ['I have a question.'], { rate: 16000, pauseSeconds: 1.2 });
 */
export function callerPcm(
  dir: string,
  utterances: readonly string[],
  opts: Readonly<{ rate: number; pauseSeconds: number }>,
): Buffer {
  const parts = utterances.flatMap((text, i) => {
    const speech = join(dir, `u${i}.wav`);
    const pause = join(dir, `p${i}.wav`);
    synthesizeCallerSpeech(text, speech, 'flite');
    generatePhoneAudio(pause, ['trim', '0', String(opts.pauseSeconds)]);
    return [speech, pause];
  });
  const raw = join(dir, 'caller.raw');
  execFileSync('sox', [
    ...parts,
    '-t',
    'raw',
    '-e',
    'signed',
    '-b',
    '16',
    '-r',
    String(opts.rate),
    raw,
  ]);
  return readFileSync(raw);
}
