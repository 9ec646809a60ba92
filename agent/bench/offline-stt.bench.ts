/**
 * Speed of the offline recognizer (PocketSphinx on a persona grammar) on
 * phone audio: decoder start-up, real-time factor, delay from the end of a
 * caller's speech (last sample above -40 dBFS) to the final transcript, and
 * the decoder's peak memory (VmHWM, read from /proc while it runs). Caller
 * sentences are spoken by flite and passed through 8 kHz G.711.
 *
 *     node agent/bench/offline-stt.bench.ts
 *
 * Needs pocketsphinx, pocketsphinx-en-us, flite and sox. Not a test: it
 * prints a report and asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { initializeLogger, stt } from '@livekit/agents';
import {
  PocketsphinxSTT,
  type PocketsphinxSpeechStream,
  type PocketsphinxSTTOptions,
} from '../src/voice/offline/pocketsphinx-stt.ts';
import {
  concatPcm,
  phoneSpeech,
  silence,
  toFrames,
  type FliteVoice,
  type Pcm,
  BILLING_LINE_PHRASES,
} from '../src/voice/offline/testing/phone-audio.ts';

const RATE = 8000;
const FRAME_MS = 20;
const PAUSE_SECONDS = 1.5;

const SENTENCES = [
  "i'd like to talk to someone about my bill",
  'i want to pay my bill',
  'can i speak to an agent please',
  'what is my balance',
  'my internet is not working',
  'no thank you',
];

const SMALL_PERSONA = BILLING_LINE_PHRASES;

/** The small persona plus 40 "I want to <verb> my <thing>" requests. */
const LARGE_PERSONA = [
  ...SMALL_PERSONA,
  ...['pay', 'cancel', 'change', 'check', 'update'].flatMap((verb) =>
    ['bill', 'account', 'service', 'plan', 'address', 'card', 'payment', 'order'].map(
      (thing) => `I want to ${verb} my ${thing}`,
    ),
  ),
];

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

type Turn = Readonly<{ said: string; startSample: number; endSample: number }>;
type Call = Readonly<{ pcm: Pcm; turns: readonly Turn[] }>;

/** Sentences separated by pauses, as one call's audio. */
async function makeCall(voice: FliteVoice): Promise<Call> {
  const parts: Pcm[] = [silence(0.5, RATE)];
  const turns: Turn[] = [];
  let offset = parts[0]?.samples.length ?? 0;
  for (const said of SENTENCES) {
    const speech = await phoneSpeech(said, voice, RATE);
    turns.push({ said, startSample: offset, endSample: offset + lastLoudSample(speech) + 1 });
    parts.push(speech, silence(PAUSE_SECONDS, RATE));
    offset += speech.samples.length + Math.round(PAUSE_SECONDS * RATE);
  }
  return { pcm: concatPcm(...parts), turns };
}

/** flite ends a sentence with a short silence; speech ends at the last sample above -40 dBFS. */
function lastLoudSample(pcm: Pcm): number {
  for (let i = pcm.samples.length - 1; i >= 0; i--) {
    if (Math.abs(pcm.samples[i] ?? 0) > 328) return i;
  }
  return 0;
}

type Decoder = Readonly<{ cpuSeconds: number; peakRssKiB: number }>;

/** CPU time and peak RSS of a running decoder, from /proc. */
function decoderUsage(pid: number): Decoder {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return { cpuSeconds: ticks / CLOCK_TICKS, peakRssKiB: Number(hwm) };
}

type Final = Readonly<{ text: string; at: number }>;

/** Collects finals in the background; resolves `waitFor(n)` once n have arrived. */
function watchFinals(stream: PocketsphinxSpeechStream) {
  const finals: Final[] = [];
  let wake = () => {};
  const done = (async () => {
    for await (const event of stream) {
      if (event.type !== stt.SpeechEventType.FINAL_TRANSCRIPT) continue;
      finals.push({ text: event.alternatives?.[0].text ?? '', at: performance.now() });
      wake();
    }
    wake();
  })();
  const waitFor = async (count: number, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (finals.length < count && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  return { finals, waitFor, done };
}

async function waitForPid(stream: PocketsphinxSpeechStream): Promise<number> {
  while (stream.pid === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
  return stream.pid;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Streams a call at real-time pace and measures end of speech → final per turn. */
async function realTime(options: PocketsphinxSTTOptions, call: Call) {
  const stream = new PocketsphinxSTT(options).stream();
  const watcher = watchFinals(stream);
  const frames = toFrames(call.pcm, FRAME_MS);
  const frameSamples = Math.round((RATE * FRAME_MS) / 1000);
  const speechEnds: number[] = [];
  const start = performance.now();
  for (const [i, frame] of frames.entries()) {
    await sleep(start + i * FRAME_MS - performance.now());
    stream.pushFrame(frame);
    const pushedUpTo = (i + 1) * frameSamples;
    const turn = call.turns[speechEnds.length];
    if (turn && pushedUpTo >= turn.endSample) speechEnds.push(performance.now());
  }
  await watcher.waitFor(call.turns.length, 5000);
  const usage = decoderUsage(await waitForPid(stream));
  stream.endInput();
  await watcher.done;
  const delays = watcher.finals
    .slice(0, speechEnds.length)
    .map((f, i) => f.at - (speechEnds[i] ?? f.at));
  return { finals: watcher.finals, delays, usage };
}

/** Pushes a whole call at once and measures how fast it is decoded. */
async function asFastAsPossible(options: PocketsphinxSTTOptions, call: Call) {
  const started = performance.now();
  const stream = new PocketsphinxSTT(options).stream();
  const pid = await waitForPid(stream);
  const startup = performance.now() - started;
  const startupCpu = decoderUsage(pid).cpuSeconds;
  const watcher = watchFinals(stream);
  const pushed = performance.now();
  for (const frame of toFrames(call.pcm, FRAME_MS)) stream.pushFrame(frame);
  await watcher.waitFor(call.turns.length, 60_000);
  const elapsed = (watcher.finals.at(-1)?.at ?? performance.now()) - pushed;
  const usage = decoderUsage(pid);
  stream.endInput();
  await watcher.done;
  return { startup, startupCpu, elapsed, usage, finals: watcher.finals };
}

const ms = (n: number) => `${Math.round(n)} ms`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  initializeLogger({ pretty: false, level: 'warn' });
  console.log('Offline STT benchmark: pocketsphinx_continuous, en-us model, persona grammar');
  console.log(
    `Audio: flite voices through 8 kHz G.711 mu-law, pushed as ${FRAME_MS} ms frames at ${RATE} Hz\n`,
  );

  // Warm-up: the first decoder reads the model from disk into the page cache.
  await asFastAsPossible({ phrases: SMALL_PERSONA }, await makeCall('kal16'));

  for (const voice of ['kal16', 'slt'] as const) {
    const call = await makeCall(voice);
    const seconds = call.pcm.samples.length / RATE;
    console.log(
      `== voice ${voice}: ${SENTENCES.length} sentences, ${seconds.toFixed(1)} s of call audio`,
    );
    for (const [name, phrases] of [
      ['small persona (12 phrases)', SMALL_PERSONA],
      ['large persona (52 phrases)', LARGE_PERSONA],
    ] as const) {
      const fast = await asFastAsPossible({ phrases }, call);
      console.log(`  ${name}`);
      console.log(
        `    decoder start-up (model + grammar load): ${ms(fast.startup)}` +
          ` wall, ${fast.startupCpu.toFixed(2)} s cpu`,
      );
      console.log(
        `    real-time factor, wall: ${(fast.elapsed / 1000 / seconds).toFixed(3)}` +
          `  decoder cpu: ${((fast.usage.cpuSeconds - fast.startupCpu) / seconds).toFixed(3)}`,
      );
      console.log(`    recognized: ${fast.finals.map((f) => `"${f.text}"`).join(', ')}`);
      console.log(`    decoder peak RSS (VmHWM): ${mib(fast.usage.peakRssKiB)}`);
    }
    for (const endSilenceMs of [500, 300]) {
      const live = await realTime({ phrases: SMALL_PERSONA, endSilenceMs }, call);
      console.log(`  real-time streaming, small persona, endSilenceMs ${endSilenceMs}:`);
      for (const [i, turn] of call.turns.entries()) {
        const final = live.finals[i];
        const delay = live.delays[i];
        console.log(
          `    ${delay === undefined ? '   -   ' : ms(delay).padStart(7)}  "${turn.said}" -> "${final?.text ?? '(none)'}"`,
        );
      }
      console.log(
        `    end of speech -> final: median ${ms(median(live.delays))}, max ${ms(Math.max(...live.delays))}` +
          ` (the decoder waits ${endSilenceMs} ms of silence to end an utterance)` +
          `; finals ${live.finals.length}/${call.turns.length}; peak RSS ${mib(live.usage.peakRssKiB)}`,
      );
    }
    console.log('');
  }
}

await main();
// rtc-node's FFI client (used by the resampler) keeps the event loop alive.
process.exit(0);
