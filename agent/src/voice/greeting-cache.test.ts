import { initializeLogger, voice, type APIConnectOptions, type tts } from '@livekit/agents';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import type { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GreetingCache,
  GreetingSynthesisError,
  type GreetingRequest,
  type GreetingVoice,
} from './greeting-cache.ts';
import { ESPEAK_SAMPLE_RATE, EspeakTTS } from './offline/espeak-tts.ts';
import { closedPort, collectUnhandledRejections } from './providers/testing.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

/** Real espeak-ng, counting how often it is asked to synthesize. */
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

const MB = 1024 * 1024;

function speaker(engine: EspeakTTS, extra: Partial<GreetingVoice> = {}): GreetingVoice {
  return { engine, voice: `espeak-ng/${engine.options.voice}`, ...extra };
}

function request(text: string, voice: GreetingVoice, persona = 'triage'): GreetingRequest {
  return { persona, text, speaker: voice };
}

const bytesOf = (frames: readonly AudioFrame[]) =>
  frames.reduce((n, f) => n + f.data.byteLength, 0);
const seconds = (frames: readonly AudioFrame[]) =>
  frames.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0);
const pcm = (frames: readonly AudioFrame[]) => frames.map((f) => Array.from(f.data));

async function readAll(stream: ReadableStream<AudioFrame>): Promise<AudioFrame[]> {
  const out: AudioFrame[] = [];
  for await (const frame of stream) out.push(frame);
  return out;
}

describe('GreetingCache', () => {
  it('synthesizes a greeting once and replays identical frames from memory', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Thank you for calling. How can I help you today?', speaker(engine));

    const t0 = performance.now();
    const first = await cache.frames(req);
    const fresh = performance.now() - t0;
    const t1 = performance.now();
    const second = await cache.frames(req);
    const replay = performance.now() - t1;

    expect(engine.calls).toBe(1);
    expect(first.length).toBeGreaterThan(1);
    expect(first[0]?.sampleRate).toBe(ESPEAK_SAMPLE_RATE);
    expect(seconds(first)).toBeGreaterThan(1.5);
    expect(pcm(second)).toEqual(pcm(first));
    expect(second.map((f) => f.samplesPerChannel)).toEqual(first.map((f) => f.samplesPerChannel));
    expect(replay).toBeLessThan(fresh);
    expect(cache.stats).toEqual({
      entries: 1,
      bytes: bytesOf(first),
      hits: 1,
      storeHits: 0,
      syntheses: 1,
    });
  });

  it('streams the same frames through audio(), each a private copy', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Welcome back.', speaker(engine));

    const streamed = await readAll(cache.audio(req));
    const original = pcm(streamed);
    streamed[0]?.data.fill(0);
    const replayed = await readAll(cache.audio(req));

    expect(engine.calls).toBe(1);
    expect(pcm(replayed)).toEqual(original);
    expect(replayed[0]).not.toBe(streamed[0]);
  });

  it('shares one synthesis between concurrent requests', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Please hold while I look that up.', speaker(engine));

    const [a, b, c] = await Promise.all([
      readAll(cache.audio(req)),
      readAll(cache.audio(req)),
      cache.frames(req),
    ]);

    expect(engine.calls).toBe(1);
    expect(pcm(b)).toEqual(pcm(a));
    expect(pcm(c)).toEqual(pcm(a));
  });

  it('keys by persona, voice and text', async () => {
    const engine = new CountingEspeak();
    const british = new CountingEspeak({ voice: 'en-gb' });
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const voice = speaker(engine);

    await cache.frames(request('Hello Jane.', voice));
    await cache.frames(request('Hello Jane.', voice));
    await cache.frames(request('Hello John.', voice));
    await cache.frames(request('Hello Jane.', voice, 'billing'));
    await cache.frames(request('Hello Jane.', speaker(british)));

    expect(engine.calls).toBe(3);
    expect(british.calls).toBe(1);
    expect(cache.stats).toMatchObject({ entries: 4, hits: 1, syntheses: 4 });
  });

  it('evicts the least recently used greetings to stay within its byte budget', async () => {
    const engine = new CountingEspeak();
    const sizes = new GreetingCache({ maxBytes: 64 * MB });
    const voice = speaker(engine);
    const [a, b, c] = ['Good morning, and welcome.', 'Two hundred and twelve.', 'Hi.'];
    const size = async (text: string) => bytesOf(await sizes.frames(request(text, voice)));
    const [sa, sb, sc] = [await size(a), await size(b), await size(c)];
    expect(sc).toBeLessThan(sb);

    const cache = new GreetingCache({ maxBytes: sa + sb });
    engine.calls = 0;
    await cache.frames(request(a, voice));
    await cache.frames(request(b, voice));
    expect(cache.stats).toMatchObject({ entries: 2, bytes: sa + sb });
    await cache.frames(request(a, voice)); // a is now the most recently used
    await cache.frames(request(c, voice)); // evicts b, the least recently used
    expect(cache.stats).toMatchObject({ entries: 2, bytes: sa + sc, hits: 1 });
    expect(engine.calls).toBe(3);

    await cache.frames(request(a, voice));
    expect(engine.calls).toBe(3);
    await cache.frames(request(b, voice));
    expect(engine.calls).toBe(4);
    expect(cache.stats.bytes).toBeLessThanOrEqual(sa + sb);
  });

  it('plays but does not keep a greeting larger than the whole budget', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 1000 });
    const req = request(
      'This greeting is far too long for a one kilobyte budget.',
      speaker(engine),
    );

    const frames = await cache.frames(req);
    await cache.frames(req);

    expect(seconds(frames)).toBeGreaterThan(1);
    expect(engine.calls).toBe(2);
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('speaks with the fallback, uncached, when the engine fails before any audio', async () => {
    const broken = new CountingEspeak({ binary: '/nonexistent/espeak-ng' });
    const fallback = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Thank you for calling.', speaker(broken, { fallback }));

    const { result: frames } = await collectUnhandledRejections(() => cache.frames(req));

    expect(seconds(frames)).toBeGreaterThan(0.5);
    expect(broken.calls).toBe(1);
    expect(fallback.calls).toBe(1);
    expect(cache.stats).toMatchObject({ entries: 0, syntheses: 1 });
  });

  it('fails with a GreetingSynthesisError when there is no fallback', async () => {
    const broken = new CountingEspeak({ binary: '/nonexistent/espeak-ng' });
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Thank you for calling.', speaker(broken));

    const { result } = await collectUnhandledRejections(() =>
      cache.frames(req).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );

    expect(result).toBeInstanceOf(GreetingSynthesisError);
    expect((result as Error).message).toBe('offline.EspeakTTS failed');
    expect(cache.stats.entries).toBe(0);
  });

  it('falls back to espeak-ng at once when ElevenLabs cannot be reached', async () => {
    const port = await closedPort();
    const unreachable = new elevenlabs.TTS({
      apiKey: 'unused',
      encoding: 'pcm_16000',
      baseURL: `http://127.0.0.1:${port}/v1`,
    });
    const fallback = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Thank you for calling.', {
      engine: unreachable,
      voice: 'elevenlabs/eleven_flash_v2_5/bIHbv24MWmeRgasZH58o/pcm_16000',
      fallback,
    });

    const started = performance.now();
    const reader = cache.audio(req).getReader();
    const first = await reader.read();
    const firstAudioMs = performance.now() - started;
    while (!(await reader.read()).done);

    expect(first.value?.sampleRate).toBe(ESPEAK_SAMPLE_RATE);
    expect(firstAudioMs).toBeLessThan(1500);
    expect(fallback.calls).toBe(1);
    expect(cache.stats.entries).toBe(0);
    await unreachable.close();
  });

  it('says a cached greeting through a real AgentSession, text to history, audio from memory', async () => {
    const engine = new CountingEspeak();
    const cache = new GreetingCache({ maxBytes: 8 * MB });
    const req = request('Thank you for calling.', speaker(engine));
    const cached = await cache.frames(req);

    const session = new voice.AgentSession({
      tts: engine,
      vad: null,
      turnHandling: { turnDetection: null },
    });
    const output = new voice.QueueAudioOutput(ESPEAK_SAMPLE_RATE);
    session.output.audio = output;
    await session.start({ agent: new voice.Agent({ instructions: 'Greets callers.' }) });
    try {
      const handle = cache.say(session, req, { allowInterruptions: false });
      const played: AudioFrame[] = [];
      for await (const item of output.stream()) {
        if (item instanceof voice.AudioSegmentEnd) {
          output.notifyPlaybackFinished(seconds(played), false);
          break;
        }
        if (played.length === 0) output.notifyPlaybackStarted();
        played.push(item as AudioFrame);
      }
      await handle.waitForPlayout();

      expect(engine.calls).toBe(1);
      expect(pcm(played).flat()).toEqual(pcm(cached).flat());
      const said = session.history.items.flatMap((i) =>
        i.type === 'message' ? [[i.role, i.textContent]] : [],
      );
      expect(said).toEqual([['assistant', 'Thank you for calling.']]);
    } finally {
      await session.close();
    }
  });
});
