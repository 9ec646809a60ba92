import { existsSync, readFileSync } from 'node:fs';
import { APIConnectionError, initializeLogger, stt } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { PocketsphinxSTT, type PocketsphinxSpeechStream } from './pocketsphinx-stt.ts';
import {
  concatPcm,
  phoneSpeech,
  silence,
  testdataRecording,
  throughPhoneLine,
  toFrames,
  type FliteVoice,
  type Pcm,
  BILLING_LINE_PHRASES,
} from './testing/phone-audio.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

/** A billing line's caller phrases, as a persona would declare them. */
const PHRASES = BILLING_LINE_PHRASES;

type Case = Readonly<{ said: string; heard: Readonly<Partial<Record<FliteVoice, string[]>>> }>;

/**
 * What each flite voice is measured to get right through G.711, in 10 runs
 * of each at 8 and 48 kHz. Results can differ between runs: LiveKit's
 * resampler dithers its 16-bit output at random. The female `slt` voice
 * loses "someone" (at 8 kHz) and a lone "yes" (heard as "an"); `kal16` at
 * 48 kHz mostly hears "no thank you" as "no to an to". Words outside the
 * grammar ("hello", "please") come out as other grammar words.
 */
const CASES: readonly Case[] = [
  {
    said: "i'd like to talk to someone about my bill",
    heard: { kal16: ["i'd like to talk to someone", 'bill'], slt: ['like to talk to', 'bill'] },
  },
  { said: 'i want to pay my bill', heard: { kal16: ['pay my bill'], slt: ['pay my bill'] } },
  {
    said: 'can i speak to an agent please',
    heard: { kal16: ['can i speak to an agent'], slt: ['can i speak to an agent'] },
  },
  {
    said: 'what is my balance',
    heard: { kal16: ['what is my balance'], slt: ['what is my balance'] },
  },
  {
    said: 'hello my internet is not working',
    heard: { kal16: ['internet is not working'], slt: ['my internet is not working'] },
  },
  { said: 'no thank you', heard: { kal16: ['no'], slt: ['no thank you'] } },
  { said: 'yes', heard: { kal16: ['yes'] } },
];

type STTError = Parameters<stt.STTCallbacks['error']>[0];

const recognizer = () => new PocketsphinxSTT({ phrases: PHRASES, keywords: ['agent'] });

async function collect(stream: PocketsphinxSpeechStream): Promise<stt.SpeechEvent[]> {
  const events: stt.SpeechEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Streams PCM in 20 ms frames, ends the input, and returns every event. */
async function transcribe(engine: PocketsphinxSTT, pcm: Pcm): Promise<stt.SpeechEvent[]> {
  const stream = engine.stream();
  for (const frame of toFrames(pcm)) stream.pushFrame(frame);
  stream.endInput();
  return collect(stream);
}

const finals = (events: readonly stt.SpeechEvent[]) =>
  events
    .filter((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT)
    .map((e) => e.alternatives?.[0].text ?? '');

/** A caller turn: a little line noise-free lead-in, the sentence, and the pause after it. */
async function callerTurn(said: string, voice: FliteVoice, sampleRate: number): Promise<Pcm> {
  return concatPcm(
    silence(0.3, sampleRate),
    await phoneSpeech(said, voice, sampleRate),
    silence(0.8, sampleRate),
  );
}

const containsWords = (text: string, words: string) => ` ${text} `.includes(` ${words} `);

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('PocketsphinxSTT', () => {
  it('describes itself as a streaming offline STT without interim results', () => {
    const engine = recognizer();
    expect(engine.capabilities).toEqual({ streaming: true, interimResults: false });
    expect(engine.label).toBe('offline.PocketsphinxSTT');
    expect(engine.provider).toBe('offline');
    expect(engine.model).toBe('pocketsphinx/en-us-telephone');
    expect(engine.droppedWords).toEqual([]);
    expect(new PocketsphinxSTT({ phrases: ['call Zorblax'] }).droppedWords).toEqual(['zorblax']);
  });

  for (const sampleRate of [8000, 48000]) {
    for (const voice of ['kal16', 'slt'] as const) {
      const cases = CASES.filter((c) => c.heard[voice]);
      it(`recognizes ${voice} caller phrases through G.711 at ${sampleRate} Hz`, async () => {
        const engine = recognizer();
        for (const { said, heard } of cases) {
          const events = await transcribe(engine, await callerTurn(said, voice, sampleRate));
          const text = finals(events).join(' ');
          for (const words of heard[voice] ?? []) {
            expect(containsWords(text, words), `"${said}" heard as "${text}"`).toBe(true);
          }
        }
      }, 60_000);
    }
  }

  it('wraps each final in start and end of speech, with language, confidence and word times', async () => {
    const events = await transcribe(
      recognizer(),
      await callerTurn('i want to pay my bill', 'kal16', 16000),
    );
    const speech = events.filter((e) => e.type !== stt.SpeechEventType.RECOGNITION_USAGE);
    expect(speech.map((e) => e.type)).toEqual([
      stt.SpeechEventType.START_OF_SPEECH,
      stt.SpeechEventType.FINAL_TRANSCRIPT,
      stt.SpeechEventType.END_OF_SPEECH,
    ]);
    const data = speech[1]?.alternatives?.[0];
    expect(data?.text).toBe('i want to pay my bill');
    expect(data?.language).toBe('en-US');
    expect(data?.confidence).toBe(1);
    expect(data?.words?.map((w) => w.text)).toEqual(['i', 'want', 'to', 'pay', 'my', 'bill']);
    // The sentence starts after 0.3 s of silence and lasts about 1.5 s.
    expect(data?.startTime).toBeGreaterThan(0.2);
    expect(data?.startTime).toBeLessThan(0.6);
    expect(data?.endTime).toBeGreaterThan(1.2);
    expect(data?.endTime).toBeLessThan(2.3);
    const usage = events.filter((e) => e.type === stt.SpeechEventType.RECOGNITION_USAGE);
    const billed = usage.reduce((s, e) => s + (e.recognitionUsage?.audioDuration ?? 0), 0);
    expect(billed).toBeGreaterThan(2);
  }, 30_000);

  it('recognizes real human recordings from pocketsphinx-testdata, wideband and through G.711', async () => {
    const goForward = await testdataRecording('goforward.raw');
    const robot = { phrases: ['go forward ten meters', 'go backward', 'turn left', 'stop'] };
    for (const channel of ['wideband', 'telephone'] as const) {
      const engine = new PocketsphinxSTT({ ...robot, channel });
      const audio = channel === 'wideband' ? goForward : await throughPhoneLine(goForward, 8000);
      const text = finals(
        await transcribe(engine, concatPcm(audio, silence(0.8, audio.sampleRate))),
      );
      expect(text.join(' ')).toContain('go forward ten meters');
    }

    // Sense and Sensibility, read by a LibriVox volunteer; the grammar has other sentences' words too.
    const novel = new PocketsphinxSTT({
      phrases: [
        'he was not an ill disposed young man',
        'rather cold hearted and rather selfish',
        'he might even have been made amiable himself',
      ],
      keywords: ['married', 'woman', 'respectable'],
    });
    const clip = await testdataRecording('librivox/sense_and_sensibility_01_austen_64kb-0880.wav');
    const heard = finals(
      await transcribe(novel, concatPcm(await throughPhoneLine(clip, 8000), silence(0.8, 8000))),
    ).join(' ');
    expect(containsWords(heard, 'disposed young man'), heard).toBe(true);
    expect(containsWords(heard, 'he was not'), heard).toBe(true);
  }, 60_000);

  it('gives one final per utterance when a caller pauses for a second', async () => {
    // 16 kHz needs no resampling, so the decoder input is the same on every run.
    const pcm = concatPcm(
      silence(0.3, 16000),
      await phoneSpeech('i want to pay my bill', 'kal16', 16000),
      silence(1, 16000),
      await phoneSpeech('what is my balance', 'kal16', 16000),
      silence(0.8, 16000),
    );
    const events = await transcribe(recognizer(), pcm);
    expect(finals(events)).toEqual(['i want to pay my bill', 'what is my balance']);
    const [first, second] = events
      .filter((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT)
      .map((e) => e.alternatives?.[0]);
    expect(second?.startTime).toBeGreaterThan((first?.endTime ?? Infinity) + 0.8);
  }, 30_000);

  it('accepts stereo frames and ends an utterance on flush without trailing silence', async () => {
    const mono = concatPcm(
      silence(0.3, 16000),
      await phoneSpeech('what is my balance', 'kal16', 16000),
    );
    const stream = recognizer().stream();
    for (const frame of toFrames(mono)) {
      const stereo = new Int16Array(frame.samplesPerChannel * 2);
      frame.data.forEach((s, i) => stereo.set([s, s], i * 2));
      stream.pushFrame(new AudioFrame(stereo, 16000, 2, frame.samplesPerChannel));
    }
    stream.flush();
    const events: stt.SpeechEvent[] = [];
    for await (const event of stream) {
      events.push(event);
      if (event.type === stt.SpeechEventType.END_OF_SPEECH) break;
    }
    const final = events.find((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT);
    expect(final?.alternatives?.[0].text).toBe('what is my balance');
    // Times exclude the silence the flush wrote.
    expect(final?.alternatives?.[0].endTime).toBeLessThanOrEqual(
      mono.samples.length / mono.sampleRate + 0.05,
    );
    stream.close();
  }, 30_000);

  it('recognizes a buffer without streaming', async () => {
    const pcm = await callerTurn("i'd like to talk to someone about my bill", 'kal16', 8000);
    const event = await recognizer().recognize(toFrames(pcm));
    expect(event.type).toBe(stt.SpeechEventType.FINAL_TRANSCRIPT);
    expect(event.alternatives?.[0].text).toContain('talk to someone about my bill');
  }, 30_000);

  it('reports a missing binary as an APIConnectionError without crashing', async () => {
    const engine = new PocketsphinxSTT({ phrases: PHRASES, binary: '/nonexistent/pocketsphinx' });
    const errors: STTError[] = [];
    engine.on('error', (e) => errors.push(e));
    const events = await transcribe(engine, silence(0.5, 8000));
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(APIConnectionError);
    expect(errors[0]?.error.message).toMatch(/\/nonexistent\/pocketsphinx.*ENOENT/);
    expect(errors[0]?.recoverable).toBe(false);
    await expect(engine.recognize(toFrames(silence(0.5, 8000)))).rejects.toBeInstanceOf(
      APIConnectionError,
    );
  });

  it('reports a decoder that dies mid-stream as an APIConnectionError', async () => {
    const engine = recognizer();
    const errors: STTError[] = [];
    engine.on('error', (e) => errors.push(e));
    const stream = engine.stream({
      connOptions: { maxRetry: 0, retryIntervalMs: 0, timeoutMs: 1000 },
    });
    stream.pushFrame(toFrames(silence(0.02, 8000))[0] as AudioFrame);
    const pid = await waitFor(() => stream.pid);
    process.kill(pid, 'SIGKILL');
    expect(await collect(stream)).toEqual([]);
    expect(errors[0]?.error).toBeInstanceOf(APIConnectionError);
    expect(errors[0]?.error.message).toMatch(/exited while audio was streaming, killed by SIGKILL/);
  }, 30_000);

  it('stops its decoder when the stream or the STT is closed', async () => {
    const engine = recognizer();
    const first = engine.stream();
    for (const frame of toFrames(await callerTurn('yes', 'kal16', 8000))) first.pushFrame(frame);
    const firstPid = await waitFor(() => first.pid);
    const second = engine.stream();
    second.pushFrame(toFrames(silence(0.02, 8000))[0] as AudioFrame);
    const secondPid = await waitFor(() => second.pid);
    expect(isRunning(firstPid) && isRunning(secondPid)).toBe(true);
    // The audio FIFO is unlinked once both ends are open.
    const argv = readFileSync(`/proc/${firstPid}/cmdline`, 'utf8').split('\0');
    const fifo = argv[argv.indexOf('-infile') + 1] ?? '';
    expect(fifo).toMatch(/\.fifo$/);
    expect(existsSync(fifo)).toBe(false);

    first.close();
    await waitFor(() => (isRunning(firstPid) ? undefined : true));
    expect(isRunning(secondPid)).toBe(true);
    await engine.close();
    await waitFor(() => (isRunning(secondPid) ? undefined : true));
  }, 30_000);
});
