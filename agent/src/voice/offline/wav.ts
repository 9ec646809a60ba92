/**
 * Incremental WAV reader for a child process's stdout: finds the `data` chunk
 * in the first bytes, then passes PCM through. Streaming writers (espeak-ng,
 * flite to stdout) put a placeholder length in the header, so lengths are
 * ignored.
 */
export type WavFormat = Readonly<{ sampleRate: number; channels: number; bitsPerSample: number }>;

export class WavStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavStreamError';
  }
}

export class WavPcmReader {
  #head: Buffer | undefined = Buffer.alloc(0);
  #format: WavFormat | undefined;

  get format(): WavFormat | undefined {
    return this.#format;
  }

  /** Feeds bytes; returns PCM bytes available so far (empty until the header is complete). */
  push(chunk: Buffer): Buffer {
    if (this.#head === undefined) return chunk;
    const buf = Buffer.concat([this.#head, chunk]);
    if (buf.length < 12) {
      this.#head = buf;
      return Buffer.alloc(0);
    }
    if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
      throw new WavStreamError('not a RIFF/WAVE stream');
    }
    let offset = 12;
    while (offset + 8 <= buf.length) {
      const id = buf.toString('ascii', offset, offset + 4);
      const size = buf.readUInt32LE(offset + 4);
      if (id === 'fmt ') {
        if (offset + 8 + 16 > buf.length) break;
        const audioFormat = buf.readUInt16LE(offset + 8);
        const bitsPerSample = buf.readUInt16LE(offset + 22);
        if (audioFormat !== 1 || bitsPerSample !== 16) {
          throw new WavStreamError(`unsupported WAV encoding ${audioFormat}/${bitsPerSample}-bit`);
        }
        this.#format = Object.freeze({
          channels: buf.readUInt16LE(offset + 10),
          sampleRate: buf.readUInt32LE(offset + 12),
          bitsPerSample,
        });
      } else if (id === 'data') {
        if (!this.#format) throw new WavStreamError('WAV data chunk before fmt chunk');
        this.#head = undefined;
        return buf.subarray(offset + 8);
      }
      offset += 8 + size + (size % 2);
    }
    this.#head = buf;
    return Buffer.alloc(0);
  }
}
