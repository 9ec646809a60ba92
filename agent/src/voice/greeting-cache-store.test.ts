import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger, type APIConnectOptions, type tts } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiskGreetingStore } from './greeting-cache-store.ts';
import { GreetingCache, type GreetingRequest } from './greeting-cache.ts';
import { EspeakTTS } from './offline/espeak-tts.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'greetings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MB = 1024 * 1024;

/** Frames of distinct, recognisable samples. */
function frames(sizes: readonly number[], sampleRate = 16000): AudioFrame[] {
  let next = 1;
  return sizes.map((size) => {
    const data = new Int16Array(size);
    for (let i = 0; i < size; i++) data[i] = (next++ % 60000) - 30000;
    return new AudioFrame(data, sampleRate, 1, size);
  });
}

const shape = (fs: readonly AudioFrame[]) =>
  fs.map((f) => ({
    sampleRate: f.sampleRate,
    channels: f.channels,
    samples: f.samplesPerChannel,
    data: Array.from(f.data),
  }));

async function files(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.pcm')).sort();
}

describe('DiskGreetingStore', () => {
  it('round-trips frames exactly, frame boundaries included', async () => {
    const store = new DiskGreetingStore({ dir: join(dir, 'nested'), maxBytes: MB });
    const original = frames([1600, 1600, 733]);
    await store.save('key', original);
    const loaded = await store.load('key');
    expect(loaded && shape(loaded)).toEqual(shape(original));
  });

  it("keeps its files in a directory of the user's own (0700), each file 0600", async () => {
    const store = new DiskGreetingStore({ dir: join(dir, 'greetings'), maxBytes: MB });
    await store.save('key', frames([160]));
    expect((await stat(join(dir, 'greetings'))).mode & 0o777).toBe(0o700);
    const [file] = await readdir(join(dir, 'greetings'));
    expect((await stat(join(dir, 'greetings', file ?? ''))).mode & 0o777).toBe(0o600);
  });

  it('answers undefined for an unknown key', async () => {
    const store = new DiskGreetingStore({ dir, maxBytes: MB });
    expect(await store.load('nothing here')).toBeUndefined();
  });

  it('drops a corrupt file', async () => {
    const store = new DiskGreetingStore({ dir, maxBytes: MB });
    await store.save('key', frames([100]));
    const [name] = await files();
    await writeFile(join(dir, name ?? ''), 'not audio');
    expect(await store.load('key')).toBeUndefined();
    expect(await files()).toEqual([]);
  });

  it('refuses audio it cannot store as one format, and audio over the budget', async () => {
    const store = new DiskGreetingStore({ dir, maxBytes: 1000 });
    await store.save('mixed', [...frames([10], 16000), ...frames([10], 22050)]);
    await store.save('empty', []);
    await store.save('big', frames([1000]));
    expect(await files()).toEqual([]);
  });

  it('evicts the least recently used files beyond its byte budget', async () => {
    // Each file: 16-byte header, 4 bytes of frame size, 2000 bytes of PCM.
    const store = new DiskGreetingStore({ dir, maxBytes: 3 * 2100 });
    const fileOf = new Map<string, string>();
    for (const key of ['a', 'b', 'c']) {
      const before = new Set(await files());
      await store.save(key, frames([1000]));
      fileOf.set(key, (await files()).find((n) => !before.has(n)) ?? '');
    }
    const now = Date.now() / 1000;
    for (const [key, secondsAgo] of [
      ['a', 30],
      ['b', 20],
      ['c', 10],
    ] as const) {
      await utimes(join(dir, fileOf.get(key) ?? ''), now - secondsAgo, now - secondsAgo);
    }
    await store.load('a'); // a becomes the most recently used

    await store.save('d', frames([1000]));

    expect(await store.load('b')).toBeUndefined();
    expect(await store.load('a')).toBeDefined();
    expect(await store.load('c')).toBeDefined();
    expect(await store.load('d')).toBeDefined();
    const sizes = await Promise.all(
      (await files()).map(async (n) => (await stat(join(dir, n))).size),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3 * 2100);
  });
});

/** Real espeak-ng, counting syntheses. */
class CountingEspeak extends EspeakTTS {
  calls = 0;

  override synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): tts.ChunkedStream {
    this.calls += 1;
    return super.synthesize(text, connOptions, abortSignal);
  }
}

describe('GreetingCache with a DiskGreetingStore', () => {
  it("replays in a later call's process what an earlier one synthesized", async () => {
    // Two caches over one directory: the job processes of two calls on one worker.
    const engine = new CountingEspeak();
    const req: GreetingRequest = {
      persona: 'triage',
      text: 'Thank you for calling.',
      speaker: { engine, voice: 'espeak-ng/en-us' },
    };
    const firstCall = new GreetingCache({
      maxBytes: 8 * MB,
      store: new DiskGreetingStore({ dir, maxBytes: 32 * MB }),
    });
    const synthesized = await firstCall.frames(req);
    await waitFor(async () => (await files()).length === 1);

    const laterCall = new GreetingCache({
      maxBytes: 8 * MB,
      store: new DiskGreetingStore({ dir, maxBytes: 32 * MB }),
    });
    const replayed = await laterCall.frames(req);

    expect(engine.calls).toBe(1);
    expect(shape(replayed)).toEqual(shape(synthesized));
    expect(laterCall.stats).toMatchObject({ storeHits: 1, syntheses: 0, entries: 1 });
    await laterCall.frames(req);
    expect(laterCall.stats).toMatchObject({ hits: 1, storeHits: 1 });
  });

  it('keeps a greeting marked persist: false out of the store', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({
      maxBytes: 8 * MB,
      store: new DiskGreetingStore({ dir, maxBytes: 32 * MB }),
    });
    const req: GreetingRequest = {
      persona: 'triage',
      text: 'Hello Jane, thank you for calling.',
      speaker: { engine, voice: 'espeak-ng/en-us' },
      persist: false,
    };
    await cache.frames(req);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await files()).toEqual([]);
    await cache.frames(req);
    expect(engine.calls).toBe(1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
