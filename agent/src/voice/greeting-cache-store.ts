/**
 * Greeting audio on disk, shared by the worker's job processes. agents-js runs
 * each call in a fresh process, so an in-memory cache alone is empty at the
 * start of every call; this store is what lets a later call replay a
 * greeting synthesized by an earlier one. Bounded by a byte budget, evicting
 * the least recently used files.
 *
 * File format (little-endian hosts: x64, arm64): "GRT1", sample rate (u32),
 * channels (u16), 0 (u16), frame count (u32), samples per channel of each
 * frame (u32 each), then the 16-bit PCM of every frame in order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AudioFrame } from '@livekit/rtc-node';
import { makePrivateDir } from '../worker/private-dir.ts';

/** Where greeting audio outlives the process that synthesized it. */
export interface GreetingStore {
  /** The frames stored under `key`, or undefined. Never throws. */
  load(key: string): Promise<AudioFrame[] | undefined>;
  /** Stores frames under `key`. Never throws. */
  save(key: string, frames: readonly AudioFrame[]): Promise<void>;
}

export type DiskGreetingStoreOptions = Readonly<{
  /** Directory for the files; created on first save, mode 0700 (worker/private-dir.ts). */
  dir: string;
  /** Total size of the files kept. */
  maxBytes: number;
}>;

const MAGIC = 0x31545247; // "GRT1" read as a little-endian u32
const HEADER_BYTES = 16;
const EXT = '.pcm';

/**
 * @example
 * const store = new DiskGreetingStore({ dir: '/tmp/greetings', maxBytes: 32 * 1024 * 1024 });
 * const cache = new GreetingCache({ maxBytes: 8 * 1024 * 1024, store });
 */
export class DiskGreetingStore implements GreetingStore {
  readonly options: DiskGreetingStoreOptions;

  constructor(options: DiskGreetingStoreOptions) {
    this.options = Object.freeze({ ...options });
  }

  async load(key: string): Promise<AudioFrame[] | undefined> {
    const file = this.#file(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    const frames = decode(bytes);
    if (!frames) {
      await unlink(file).catch(() => {});
      return undefined;
    }
    const now = new Date();
    // Recency for eviction; losing the race with another process's eviction is harmless.
    await utimes(file, now, now).catch(() => {});
    return frames;
  }

  async save(key: string, frames: readonly AudioFrame[]): Promise<void> {
    const bytes = encode(frames);
    if (!bytes || bytes.byteLength > this.options.maxBytes) return;
    const file = this.#file(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await makePrivateDir(this.options.dir);
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, file);
      await this.#evict();
    } catch {
      await unlink(tmp).catch(() => {});
    }
  }

  #file(key: string): string {
    return join(this.options.dir, createHash('sha256').update(key).digest('hex') + EXT);
  }

  async #evict(): Promise<void> {
    const names = (await readdir(this.options.dir)).filter((n) => n.endsWith(EXT));
    const files = (
      await Promise.all(
        names.map(async (name) => {
          const path = join(this.options.dir, name);
          const s = await stat(path).catch(() => undefined);
          return s ? { path, size: s.size, used: s.mtimeMs } : undefined;
        }),
      )
    ).filter((f) => f !== undefined);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.options.maxBytes) break;
      await unlink(f.path).catch(() => {});
      total -= f.size;
    }
  }
}

function encode(frames: readonly AudioFrame[]): Buffer | undefined {
  const first = frames[0];
  if (!first) return undefined;
  if (frames.some((f) => f.sampleRate !== first.sampleRate || f.channels !== first.channels))
    return undefined;
  const samples = frames.reduce((n, f) => n + f.samplesPerChannel * f.channels, 0);
  const out = Buffer.alloc(HEADER_BYTES + 4 * frames.length + 2 * samples);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(first.sampleRate, 4);
  out.writeUInt16LE(first.channels, 8);
  out.writeUInt32LE(frames.length, 12);
  let offset = HEADER_BYTES;
  for (const f of frames) offset = out.writeUInt32LE(f.samplesPerChannel, offset);
  for (const f of frames) {
    const pcm = f.data.subarray(0, f.samplesPerChannel * f.channels);
    out.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), offset);
    offset += pcm.byteLength;
  }
  return out;
}

function decode(bytes: Buffer): AudioFrame[] | undefined {
  if (bytes.byteLength < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) return undefined;
  const sampleRate = bytes.readUInt32LE(4);
  const channels = bytes.readUInt16LE(8);
  const count = bytes.readUInt32LE(12);
  const pcmStart = HEADER_BYTES + 4 * count;
  if (sampleRate === 0 || channels === 0 || pcmStart > bytes.byteLength) return undefined;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) sizes.push(bytes.readUInt32LE(HEADER_BYTES + 4 * i));
  const samples = sizes.reduce((n, s) => n + s * channels, 0);
  if (pcmStart + 2 * samples !== bytes.byteLength) return undefined;
  // One aligned copy: the file's Buffer may sit at an odd offset in Node's pool.
  const pcm = new Int16Array(samples);
  new Uint8Array(pcm.buffer).set(bytes.subarray(pcmStart));
  const frames: AudioFrame[] = [];
  let at = 0;
  for (const size of sizes) {
    frames.push(new AudioFrame(pcm.slice(at, at + size * channels), sampleRate, channels, size));
    at += size * channels;
  }
  return frames;
}
