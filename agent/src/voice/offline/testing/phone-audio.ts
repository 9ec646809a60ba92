/**
 * Caller audio for recognizer tests and benchmarks: sentences spoken by
 * flite, passed through 8 kHz G.711 mu-law and back as a phone call does,
 * and real recordings from Debian's `pocketsphinx-testdata`. Needs the
 * `flite` and `sox` binaries. sox runs with `-R`: its dither is otherwise
 * random, and recognition of the same sentence would vary between runs.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { AudioFrame } from '@livekit/rtc-node';
import { WavPcmReader } from '../wav.ts';

const run = promisify(execFile);

/** Recordings shipped by `pocketsphinx-testdata`. */
export const TESTDATA_DIR = '/usr/share/pocketsphinx/test/data';

/** 16-bit mono PCM with its sample rate. */
export type Pcm = Readonly<{ samples: Int16Array; sampleRate: number }>;

/** flite voices: `kal16` (male) and `slt` (female) are 16 kHz. */
export type FliteVoice = 'kal16' | 'slt';

/**
 * `text` spoken by flite as a caller heard through a G.711 phone line:
 * 8 kHz mu-law decoded to 16-bit PCM at `sampleRate` (8000 as the trunk
 * carries it, 48000 as a WebRTC room does).
 *
 * @example
 * const pcm = await phoneSpeech('I want to pay my bill', 'kal16', 8000);
 */
export async function phoneSpeech(
  text: string,
  voice: FliteVoice,
  sampleRate = 8000,
): Promise<Pcm> {
  const script = [
    'flite -voice "$1" -t "$2" -o /dev/stdout',
    'sox -R -t wav - -r 8000 -e u-law -t wav -',
    'sox -R -t wav - -e signed -b 16 -r "$3" -t raw -',
  ].join(' | ');
  const { stdout } = await run('sh', ['-c', script, 'sh', voice, text, String(sampleRate)], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { samples: int16(stdout), sampleRate };
}

/**
 * A 16 kHz recording from `pocketsphinx-testdata`: raw (`goforward.raw`, "go
 * forward ten meters") or WAV (`librivox/*.wav`).
 *
 * @throws if a WAV file is not 16-bit mono.
 * @example
 * const human = await testdataRecording('goforward.raw');
 */
export async function testdataRecording(name: string): Promise<Pcm> {
  const bytes = await readFile(`${TESTDATA_DIR}/${name}`);
  if (!name.endsWith('.wav')) return { samples: int16(bytes), sampleRate: 16000 };
  const reader = new WavPcmReader();
  const pcm = reader.push(bytes);
  const format = reader.format;
  if (!format || format.channels !== 1) throw new Error(`${name} is not a mono WAV file`);
  return { samples: int16(pcm), sampleRate: format.sampleRate };
}

/**
 * A recording passed through 8 kHz mu-law and back, at `sampleRate`.
 *
 * @example
 * const phoned = await throughPhoneLine(await testdataRecording('goforward.raw'), 8000);
 */
export async function throughPhoneLine(pcm: Pcm, sampleRate = 8000): Promise<Pcm> {
  const script = [
    'sox -R -t raw -e signed -b 16 -c 1 -r "$1" - -r 8000 -e u-law -t wav -',
    'sox -R -t wav - -e signed -b 16 -r "$2" -t raw -',
  ].join(' | ');
  const child = execFile('sh', ['-c', script, 'sh', String(pcm.sampleRate), String(sampleRate)], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`sox exited with ${code}`)),
    );
  });
  child.stdin?.end(Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength));
  return { samples: int16(await out), sampleRate };
}

/**
 * `seconds` of digital silence.
 *
 * @example
 * const pause = silence(1, 8000);
 */
export function silence(seconds: number, sampleRate: number): Pcm {
  return { samples: new Int16Array(Math.round(seconds * sampleRate)), sampleRate };
}

/**
 * Joins PCM of one sample rate.
 *
 * @throws if the sample rates differ.
 * @example
 * const turn = concatPcm(silence(0.3, 8000), speech, silence(0.8, 8000));
 */
export function concatPcm(...parts: readonly Pcm[]): Pcm {
  const sampleRate = parts[0]?.sampleRate ?? 16000;
  if (parts.some((p) => p.sampleRate !== sampleRate)) throw new Error('sample rates differ');
  const samples = new Int16Array(parts.reduce((n, p) => n + p.samples.length, 0));
  let offset = 0;
  for (const p of parts) {
    samples.set(p.samples, offset);
    offset += p.samples.length;
  }
  return { samples, sampleRate };
}

/**
 * Cuts PCM into frames as a LiveKit audio track delivers them (20 ms by default).
 *
 * @example
 * for (const frame of toFrames(pcm)) stream.pushFrame(frame);
 */
export function toFrames(pcm: Pcm, frameMs = 20): AudioFrame[] {
  const size = Math.round((pcm.sampleRate * frameMs) / 1000);
  const frames: AudioFrame[] = [];
  for (let start = 0; start < pcm.samples.length; start += size) {
    const chunk = pcm.samples.slice(start, start + size);
    frames.push(new AudioFrame(chunk, pcm.sampleRate, 1, chunk.length));
  }
  return frames;
}

function int16(buf: Buffer): Int16Array {
  const copy = new Uint8Array(buf.byteLength - (buf.byteLength % 2));
  copy.set(buf.subarray(0, copy.byteLength));
  return new Int16Array(copy.buffer);
}

/** A billing line's caller phrases, as a persona would declare them (tests and the STT benchmark). */
export const BILLING_LINE_PHRASES: readonly string[] = Object.freeze([
  'I would like to talk to someone about my bill',
  'I want to pay my bill',
  'I need help with my account',
  'Can I speak to an agent',
  'My internet is not working',
  'What is my balance',
  'I want to cancel my service',
  'There is a mistake on my bill',
  'yes',
  'no',
  'thank you',
  'goodbye',
]);
