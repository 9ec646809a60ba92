/**
 * The FAKE ElevenLabs' speech clip as MP3 (`mp3_22050_32` is what
 * `livekit-plugins-elevenlabs` asks for by default), encoded once per
 * format without a bit reservoir, so every frame decodes on its own and a
 * reply may start at any frame. Debian's `lame`, when installed, encodes
 * it; otherwise the PyAV (FFmpeg's libmp3lame) of the benchmark's Python
 * environment does, which exists wherever the Python peer, the only MP3
 * client, does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** The Python environment the benchmark installs its peer into (has PyAV). */
const BENCH_PYTHON = join(
  import.meta.dirname,
  '..',
  '..',
  '.tools',
  'bench-python',
  'bin',
  'python',
);

const PYAV_ENCODE = `
import av, sys
src, dst, rate, kbps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
inp = av.open(src)
out = av.open(dst, 'w', format='mp3', options={'id3v2_version': '0', 'write_xing': '0'})
st = out.add_stream('libmp3lame', rate=rate, layout='mono', options={'reservoir': '0'})
st.bit_rate = kbps * 1000
for frame in inp.decode(audio=0):
    for packet in st.encode(frame):
        out.mux(packet)
for packet in st.encode(None):
    out.mux(packet)
out.close()
`;

export type Mp3Frame = Readonly<{ data: Buffer; ms: number }>;

/**
 * Encodes `wav` (already at `rate`) to MP3 at `out` unless it exists, and returns its frames.
 *
 * @throws when neither `lame` nor the benchmark's PyAV is available.
 * @example
 * const frames = mp3Frames('/tmp/clip-22050.wav', '/tmp/clip-22050-32.mp3', 22050, 32);
 */
export function mp3Frames(
  wav: string,
  out: string,
  rate: number,
  kbps: number,
): readonly Mp3Frame[] {
  if (!existsSync(out)) {
    const partial = `${out}.${process.pid}.tmp.mp3`;
    encode(wav, partial, rate, kbps);
    renameSync(partial, out);
  }
  const frames = splitFrames(readFileSync(out));
  if (frames.length === 0) throw new Error(`FAKE ElevenLabs: no MP3 frames in ${out}`);
  return frames;
}

function encode(wav: string, out: string, rate: number, kbps: number): void {
  const lame = ['--quiet', '-t', '--nores', '--cbr', '-b', String(kbps), '-m', 'm'];
  try {
    execFileSync('lame', [...lame, wav, out], { stdio: 'ignore' });
    return;
  } catch {
    // not installed: try PyAV
  }
  if (!existsSync(BENCH_PYTHON))
    throw new Error(
      'FAKE ElevenLabs: MP3 output needs `lame` (apt-get install lame) or the benchmark Python environment (.tools/bench-python)',
    );
  execFileSync(BENCH_PYTHON, ['-c', PYAV_ENCODE, wav, out, String(rate), String(kbps)], {
    stdio: 'ignore',
  });
}

// Bitrates (kbps) by index: MPEG-1 Layer III, then MPEG-2/2.5 Layer III.
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** Splits an MP3 byte stream into Layer III frames (skipping an ID3v2 tag and anything unsynced). */
function splitFrames(bytes: Buffer): Mp3Frame[] {
  let at = 0;
  if (bytes.subarray(0, 3).toString('latin1') === 'ID3' && bytes.length >= 10) {
    const size =
      ((bytes[6]! & 0x7f) << 21) |
      ((bytes[7]! & 0x7f) << 14) |
      ((bytes[8]! & 0x7f) << 7) |
      (bytes[9]! & 0x7f);
    at = 10 + size;
  }
  const frames: Mp3Frame[] = [];
  while (at + 4 <= bytes.length) {
    const b1 = bytes[at + 1]!;
    const b2 = bytes[at + 2]!;
    const version = (b1 >> 3) & 0x03;
    const layer = (b1 >> 1) & 0x03;
    const rate = RATES[version]?.[(b2 >> 2) & 0x03];
    const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[b2 >> 4];
    if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || layer !== 1 || !rate || !kbps) {
      at++;
      continue;
    }
    const padding = (b2 >> 1) & 0x01;
    const samples = version === 3 ? 1152 : 576;
    const length = Math.floor(((samples / 8) * kbps * 1000) / rate) + padding;
    if (at + length > bytes.length) break;
    frames.push({ data: bytes.subarray(at, at + length), ms: (samples * 1000) / rate });
    at += length;
  }
  return frames;
}
