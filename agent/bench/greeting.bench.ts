/**
 * Time to first audio of a greeting: synthesized fresh by espeak-ng, replayed
 * from the in-process cache, and replayed from the disk store (a later call's
 * fresh job process); and what one cached greeting costs in memory.
 *
 *   node agent/bench/greeting.bench.ts [runs]
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import type { ReadableStream } from 'node:stream/web';
import { DiskGreetingStore } from '../src/voice/greeting-cache-store.ts';
import { GreetingCache, type GreetingRequest } from '../src/voice/greeting-cache.ts';
import { EspeakTTS } from '../src/voice/offline/espeak-tts.ts';

initializeLogger({ pretty: false, level: 'warn' });

const RUNS = Number(process.argv[2] ?? 20);
const MB = 1024 * 1024;
const TEXT = 'Thank you for calling. In a few words, how can I help you today?';

const engine = new EspeakTTS();
const request: GreetingRequest = {
  persona: 'triage',
  text: TEXT,
  speaker: { engine, voice: 'espeak-ng/en-us/170wpm/p45' },
};

/** Milliseconds from `start()` until the first frame arrives, then drains the rest. */
async function firstFrameMs(start: () => AsyncIterable<unknown> | ReadableStream<AudioFrame>) {
  const t0 = performance.now();
  let first: number | undefined;
  for await (const frame of start()) if (frame) first ??= performance.now() - t0;
  if (first === undefined) throw new Error('no audio');
  return first;
}

async function sample(runs: number, measure: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await measure());
  return out.sort((a, b) => a - b);
}

const pick = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const row = (name: string, ms: number[]) =>
  `${name.padEnd(44)} ${pick(ms, 0.5).toFixed(3).padStart(9)} ${pick(ms, 0.9).toFixed(3).padStart(9)} ${ms[0]?.toFixed(3).padStart(9)}`;

const dir = await mkdtemp(join(tmpdir(), 'greeting-bench-'));
try {
  // Warm-up: the first espeak-ng spawn loads its voice data from disk.
  await engine.synthesize(TEXT).collect();

  const fresh = await sample(RUNS, () => firstFrameMs(() => engine.synthesize(TEXT)));

  const memory = new GreetingCache({ maxBytes: 64 * MB });
  const frames = await memory.frames(request);
  const fromMemory = await sample(RUNS, () => firstFrameMs(() => memory.audio(request)));

  const store = new DiskGreetingStore({ dir, maxBytes: 64 * MB });
  await new GreetingCache({ maxBytes: 64 * MB, store }).frames(request);
  await waitForFile(dir);
  // Each run is a new process's cache: empty memory, shared directory.
  const fromDisk = await sample(RUNS, () =>
    firstFrameMs(() => new GreetingCache({ maxBytes: 64 * MB, store }).audio(request)),
  );

  const seconds = frames.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0);
  const bytes = memory.stats.bytes;
  const [file] = await readdir(dir);
  const fileBytes = file ? (await stat(join(dir, file))).size : 0;

  console.log(`greeting: ${JSON.stringify(TEXT)}`);
  console.log(
    `audio: ${seconds.toFixed(2)} s, ${frames.length} frames at ${frames[0]?.sampleRate} Hz mono, ${RUNS} runs each\n`,
  );
  console.log(
    `${'time to first audio (ms)'.padEnd(44)} ${'median'.padStart(9)} ${'p90'.padStart(9)} ${'min'.padStart(9)}`,
  );
  console.log(row('espeak-ng, fresh synthesis', fresh));
  console.log(row('cache, replay from process memory', fromMemory));
  console.log(row('cache, replay from disk store (new process)', fromDisk));
  console.log(
    `\nmemory per cached greeting: ${(bytes / 1024).toFixed(1)} KiB (${(bytes / seconds / 1024).toFixed(1)} KiB per second of audio)`,
  );
  console.log(`disk per stored greeting: ${(fileBytes / 1024).toFixed(1)} KiB`);
  console.log(
    `an 8 MiB memory budget holds ${Math.floor((8 * MB) / bytes)} greetings like this one`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await readdir(path)).some((n) => n.endsWith('.pcm'))) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the store wrote no file');
}
