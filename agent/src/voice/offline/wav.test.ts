import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WavPcmReader, WavStreamError } from './wav.ts';

/** A real streaming WAV as espeak-ng writes it to stdout (placeholder lengths). */
function espeakWav(text: string): Buffer {
  const result = spawnSync('espeak-ng', ['--stdout', text]);
  if (result.status !== 0) {
    throw new Error(`espeak-ng failed (${result.status}): ${String(result.stderr)}`);
  }
  return result.stdout;
}

/** Feeds `input` in chunks of `size` bytes; returns the PCM output of every push. */
function feed(reader: WavPcmReader, input: Buffer, size: number): Buffer[] {
  const outputs: Buffer[] = [];
  for (let i = 0; i < input.length; i += size)
    outputs.push(reader.push(input.subarray(i, i + size)));
  return outputs;
}

type Chunk = { id: string; body: Buffer };

/** Builds a RIFF/WAVE stream from chunks, padding odd-sized chunk bodies. */
function riff(chunks: readonly Chunk[], riffSize = 0xffffffff): Buffer {
  const parts: Buffer[] = [Buffer.from('RIFF'), u32(riffSize), Buffer.from('WAVE')];
  for (const { id, body } of chunks) {
    parts.push(Buffer.from(id, 'ascii'), u32(body.length), body);
    if (body.length % 2) parts.push(Buffer.alloc(1));
  }
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function fmt(audioFormat: number, channels: number, sampleRate: number, bits: number): Chunk {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(audioFormat, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE((sampleRate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  return { id: 'fmt ', body };
}

function wavStreamError(fn: () => unknown): WavStreamError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WavStreamError) return err;
    throw err;
  }
  throw new Error('expected a WavStreamError');
}

describe('WavPcmReader with espeak-ng output', () => {
  const wav = espeakWav('hello');
  const dataAt = wav.indexOf('data', 12, 'ascii');
  const pcm = wav.subarray(dataAt + 8);

  it('is a streaming WAV with a 44-byte header', () => {
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(dataAt + 8).toBe(44);
    expect(pcm.length).toBeGreaterThan(22050 * 2 * 0.2);
  });

  it.each([[1], [7], [4096]])('passes the PCM through when fed in %i-byte chunks', (size) => {
    const reader = new WavPcmReader();
    const out = Buffer.concat(feed(reader, wav, size));
    expect(reader.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(out.length).toBe(wav.length - 44);
    expect(out.equals(pcm)).toBe(true);
  });

  it('returns nothing until the header is complete, then every byte', () => {
    const reader = new WavPcmReader();
    const outputs = feed(reader, wav, 1);
    expect(outputs.slice(0, 44).every((b) => b.length === 0)).toBe(true);
    expect(outputs.slice(44).every((b) => b.length === 1)).toBe(true);
  });

  it('knows the format only once the fmt chunk has arrived', () => {
    const reader = new WavPcmReader();
    reader.push(wav.subarray(0, 30));
    expect(reader.format).toBeUndefined();
    expect(reader.push(wav.subarray(30, 40)).length).toBe(0);
    expect(reader.format).toEqual({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(Object.isFrozen(reader.format)).toBe(true);
  });

  it('passes later chunks through unchanged', () => {
    const reader = new WavPcmReader();
    expect(reader.push(wav.subarray(0, 100))).toEqual(wav.subarray(44, 100));
    const next = wav.subarray(100, 200);
    expect(reader.push(next)).toBe(next);
  });
});

describe('WavPcmReader with constructed streams', () => {
  it('skips LIST and odd-sized chunks between fmt and data', () => {
    const samples = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);
    const wav = riff([
      fmt(1, 2, 8000, 16),
      { id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00sox!\x00') },
      { id: 'odd ', body: Buffer.from('abc') },
      { id: 'data', body: samples },
    ]);
    for (const size of [1, 3, wav.length]) {
      const reader = new WavPcmReader();
      expect(Buffer.concat(feed(reader, wav, size))).toEqual(samples);
      expect(reader.format).toEqual({ sampleRate: 8000, channels: 2, bitsPerSample: 16 });
    }
  });

  it('waits for a large chunk that has not fully arrived', () => {
    const wav = riff([
      fmt(1, 1, 16000, 16),
      { id: 'junk', body: Buffer.alloc(5000) },
      { id: 'data', body: Buffer.from([9, 9]) },
    ]);
    const reader = new WavPcmReader();
    expect(reader.push(wav.subarray(0, 1000)).length).toBe(0);
    expect(reader.push(wav.subarray(1000))).toEqual(Buffer.from([9, 9]));
  });

  it('refuses a stream that is not RIFF', () => {
    const reader = new WavPcmReader();
    const err = wavStreamError(() =>
      reader.push(Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000')),
    );
    expect(err.message).toBe('not a RIFF/WAVE stream');
    expect(err.name).toBe('WavStreamError');
  });

  it('refuses a RIFF stream that is not WAVE', () => {
    const reader = new WavPcmReader();
    expect(
      wavStreamError(() => reader.push(Buffer.from('RIFF\u0000\u0000\u0000\u0000AVI LIST')))
        .message,
    ).toBe('not a RIFF/WAVE stream');
  });

  it('only decides once 12 bytes have arrived', () => {
    const reader = new WavPcmReader();
    expect(reader.push(Buffer.from('OggS')).length).toBe(0);
    expect(reader.push(Buffer.from('\u0000\u0002')).length).toBe(0);
    expect(() => reader.push(Buffer.from('abcdef'))).toThrow(WavStreamError);
  });

  it('refuses text fed where audio was expected', () => {
    const reader = new WavPcmReader();
    expect(() => reader.push(Buffer.from('espeak-ng: voice not found\n'))).toThrow(WavStreamError);
  });

  it.each([
    ['float', 3, 32, 'unsupported WAV encoding 3/32-bit'],
    ['8-bit PCM', 1, 8, 'unsupported WAV encoding 1/8-bit'],
    ['mu-law', 7, 8, 'unsupported WAV encoding 7/8-bit'],
  ])('refuses %s', (_label, audioFormat, bits, message) => {
    const wav = riff([fmt(audioFormat, 1, 8000, bits), { id: 'data', body: Buffer.alloc(4) }]);
    expect(wavStreamError(() => new WavPcmReader().push(wav)).message).toBe(message);
  });

  it('refuses a data chunk before the fmt chunk', () => {
    const wav = riff([{ id: 'data', body: Buffer.alloc(4) }, fmt(1, 1, 8000, 16)]);
    expect(wavStreamError(() => new WavPcmReader().push(wav)).message).toBe(
      'WAV data chunk before fmt chunk',
    );
  });
});
