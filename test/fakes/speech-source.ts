/**
 * Audio in the format a FAKE ElevenLabs client asked for (`output_format`):
 * raw PCM at a rate, or MP3 frames, cut from the speech clip in order and
 * looping, so consecutive replies continue the clip rather than repeat its
 * first syllable.
 */
import { basename, join } from 'node:path';
import { CLIP_RATES, loadSpeechClip } from './speech-clip.ts';
import { mp3Frames, type Mp3Frame } from './speech-mp3.ts';

export type OutputFormat =
  | Readonly<{ codec: 'pcm'; rate: number; name: string }>
  | Readonly<{ codec: 'mp3'; rate: number; kbps: number; name: string }>;

/** A stretch of audio: the bytes to send and how long they play. */
export type AudioPiece = Readonly<{ data: Buffer; ms: number }>;

export type SpeechSource = Readonly<{
  /** The HTTP content type of this audio. */
  mimeType: string;
  /** The next stretch of about `ms` (PCM: exactly; MP3: whole frames, at least one). */
  take: (ms: number) => AudioPiece;
}>;

const MP3_RATES = [16000, 22050, 24000, 44100, 48000];

/**
 * Parses an ElevenLabs `output_format` the fake serves.
 *
 * @example
 * parseOutputFormat('pcm_16000'); // { codec: 'pcm', rate: 16000, name: 'pcm_16000' }
 * parseOutputFormat('mp3_22050_32'); // { codec: 'mp3', rate: 22050, kbps: 32, name: 'mp3_22050_32' }
 * parseOutputFormat('opus_48000_64'); // 'the FAKE ElevenLabs serves pcm_<rate> and mp3_<rate>_<kbps>, not opus_48000_64'
 */
export function parseOutputFormat(name: string): OutputFormat | string {
  const pcm = /^pcm_(\d+)$/.exec(name);
  if (pcm && (CLIP_RATES as readonly number[]).includes(Number(pcm[1])))
    return { codec: 'pcm', rate: Number(pcm[1]), name };
  const mp3 = /^mp3_(\d+)_(\d+)$/.exec(name);
  if (mp3 && MP3_RATES.includes(Number(mp3[1])))
    return { codec: 'mp3', rate: Number(mp3[1]), kbps: Number(mp3[2]), name };
  return `the FAKE ElevenLabs serves pcm_<rate> (${CLIP_RATES.join(', ')}) and mp3_<rate>_<kbps> (${MP3_RATES.join(', ')}), not ${name}`;
}

const mp3Cache = new Map<string, readonly Mp3Frame[]>();

/**
 * A new reader of the clip in `format`. MP3 is encoded the first time a
 * format is asked for, then cached on disk.
 *
 * @example
 * const voice = speechSource({ codec: 'pcm', rate: 16000, name: 'pcm_16000' });
 * voice.take(100).data.length; // 3200
 */
export function speechSource(format: OutputFormat): SpeechSource {
  const clip = loadSpeechClip();
  if (format.codec === 'pcm') {
    const samples = clip.at(format.rate);
    let offset = 0;
    return {
      mimeType: 'audio/pcm',
      take: (ms) => {
        const n = Math.max(1, Math.round((ms * format.rate) / 1000));
        const out = Buffer.alloc(n * 2);
        for (let i = 0; i < n; i++) {
          out.writeInt16LE(samples[offset] ?? 0, i * 2);
          offset = (offset + 1) % samples.length;
        }
        return { data: out, ms: (n * 1000) / format.rate };
      },
    };
  }
  let frames = mp3Cache.get(format.name);
  if (!frames) {
    const wav = clip.wavAt(format.rate);
    const out = join(clip.dir, `${basename(wav, '.wav')}-${format.kbps}k.mp3`);
    frames = mp3Frames(wav, out, format.rate, format.kbps);
    mp3Cache.set(format.name, frames);
  }
  const all = frames;
  let next = 0;
  return {
    mimeType: 'audio/mpeg',
    take: (ms) => {
      const parts: Buffer[] = [];
      let got = 0;
      do {
        const frame = all[next]!;
        parts.push(frame.data);
        got += frame.ms;
        next = (next + 1) % all.length;
      } while (got + (all[next]?.ms ?? 0) / 2 < ms);
      return { data: Buffer.concat(parts), ms: got };
    },
  };
}
