import { createRequire } from 'node:module';
import { inference, initializeLogger, VADEventType, type VAD } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { AudioFrame, AudioResampler, combineAudioFrames } from '@livekit/rtc-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ESPEAK_SAMPLE_RATE, EspeakTTS } from '../offline/espeak-tts.ts';
import { loadVad, localTurnDetector, VAD_SAMPLE_RATE } from './local-models.ts';
import { watchNetwork } from './testing.ts';

let vad: VAD;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  vad = await loadVad({ vadMinSilenceMs: 400 });
});
afterAll(async () => {
  await vad.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** 100 ms frames of digital silence at espeak-ng's rate. */
function silence(ms: number): AudioFrame[] {
  const samples = ESPEAK_SAMPLE_RATE / 10;
  return Array.from(
    { length: ms / 100 },
    () => new AudioFrame(new Int16Array(samples), ESPEAK_SAMPLE_RATE, 1, samples),
  );
}

/**
 * The VAD's speech events over `frames`, read until it has processed all of
 * them (its `endInput()` cannot close an input it holds a writer on).
 */
async function vadEvents(frames: readonly AudioFrame[]): Promise<VADEventType[]> {
  const totalMs = frames.reduce((t, f) => t + (1000 * f.samplesPerChannel) / f.sampleRate, 0);
  const stream = vad.stream();
  for (const frame of frames) stream.pushFrame(frame);
  const events: VADEventType[] = [];
  try {
    for await (const event of stream) {
      if (event.type !== VADEventType.INFERENCE_DONE) events.push(event.type);
      // Inference runs in 32 ms windows; the last partial one never does.
      if (event.timestamp >= totalMs - 64) break;
    }
  } finally {
    stream.close();
  }
  return events;
}

describe('loadVad', () => {
  it('loads Silero from the bundled ONNX model, at 8 kHz, with the configured silence', () => {
    expect(vad).toBeInstanceOf(silero.VAD);
    expect(vad.label).toBe('silero.VAD');
    expect(vad.minSilenceDuration).toBe(400);
    expect(VAD_SAMPLE_RATE).toBe(8000);
  });

  it('loads without the network', async () => {
    const watch = watchNetwork();
    const another = await loadVad({ vadMinSilenceMs: 550 });
    watch.stop();
    expect(another.minSilenceDuration).toBe(550);
    expect(watch.events).toEqual([]);
    await another.close();
  });

  it('hears speech start and end in real espeak-ng audio', async () => {
    const speech = await new EspeakTTS()
      .synthesize('Hello, I have a question about my bill.')
      .collect();
    const events = await vadEvents([...silence(500), speech, ...silence(1000)]);
    expect(events).toEqual([VADEventType.START_OF_SPEECH, VADEventType.END_OF_SPEECH]);
  });

  it('hears nothing in silence', async () => {
    expect(await vadEvents(silence(2000))).toEqual([]);
  });
});

describe('localTurnDetector', () => {
  it('is the local v1-mini model', () => {
    const detector = localTurnDetector();
    expect(detector).toBeInstanceOf(inference.TurnDetector);
    expect(detector.model).toBe('turn-detector-v1-mini');
  });

  it('stays local where agents-js would pick the LiveKit Cloud model', () => {
    vi.stubEnv('LIVEKIT_REMOTE_EOT_URL', 'wss://agent-gateway.livekit.cloud');
    vi.stubEnv('LIVEKIT_DEV_MODE', '1');
    vi.stubEnv('LIVEKIT_API_KEY', 'devkey');
    vi.stubEnv('LIVEKIT_API_SECRET', 'secret');
    expect(new inference.TurnDetector().model).toBe('turn-detector-v1');
    expect(localTurnDetector().model).toBe('turn-detector-v1-mini');
  });

  it('runs its bundled model with no download', async () => {
    // What the worker's inference process runs for this detector (agents-js inference/eot/runner).
    const native = createRequire(import.meta.url)('@livekit/local-inference') as {
      initEot(): void;
      predict(pcm: Int16Array): Promise<number>;
    };
    const watch = watchNetwork();
    native.initEot();
    // Its input: the last 1.2 s of the caller's audio, 16 kHz mono.
    const speech = await new EspeakTTS().synthesize('I would like to pay my').collect();
    const resampler = new AudioResampler(ESPEAK_SAMPLE_RATE, 16000);
    const pcm = combineAudioFrames([...resampler.push(speech), ...resampler.flush()]).data;
    const probability = await native.predict(pcm.slice(-19200));
    watch.stop();
    expect(probability).toBeGreaterThanOrEqual(0);
    expect(probability).toBeLessThanOrEqual(1);
    expect(watch.events).toEqual([]);
  });
});
