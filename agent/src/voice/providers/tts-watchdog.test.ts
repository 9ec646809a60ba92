import type { EventEmitter } from 'node:events';
import { APIConnectionError, initializeLogger, tts, type APIConnectOptions } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { ttsWithFallback } from './fallback.ts';
import { StallWatchdogTTS, TTS_STALL_S } from './tts-watchdog.ts';

/**
 * What a {@link ScriptedTTS} stream does with each sentence: speaks it (two
 * frames, the last final once the input has ended), sends nothing at all, or
 * sends one frame and then nothing (stopped mid-sentence).
 */
type Behaviour = 'speaks' | 'silent' | 'stops';

const RATE = 16000;
const FRAME = 160;

class ScriptedTTS extends tts.TTS {
  label: string;
  readonly behaviour: Behaviour;
  readonly texts: string[] = [];

  constructor(behaviour: Behaviour, label = 'scripted.TTS') {
    super(RATE, 1, { streaming: true });
    this.behaviour = behaviour;
    this.label = label;
  }

  synthesize(): tts.ChunkedStream {
    throw new Error('streaming only');
  }

  stream(options?: { connOptions?: APIConnectOptions }): tts.SynthesizeStream {
    return new ScriptedStream(this, options?.connOptions);
  }
}

class ScriptedStream extends tts.SynthesizeStream {
  label = 'scripted.SynthesizeStream';
  readonly #owner: ScriptedTTS;

  constructor(owner: ScriptedTTS, connOptions?: APIConnectOptions) {
    super(owner, connOptions);
    this.#owner = owner;
  }

  protected async run(): Promise<void> {
    const frame = () => new AudioFrame(new Int16Array(FRAME).fill(1000), RATE, 1, FRAME);
    let last: AudioFrame | undefined;
    const put = (final: boolean) => {
      if (last) this.queue.put({ requestId: 'r', segmentId: 's', frame: last, final });
      last = frame();
    };
    for await (const item of this.input) {
      if (item === tts.SynthesizeStream.FLUSH_SENTINEL || item.trim() === '') continue;
      this.#owner.texts.push(item);
      await new Promise((r) => setTimeout(r, 20));
      if (this.#owner.behaviour === 'silent') continue;
      put(false);
      put(false);
      if (this.#owner.behaviour === 'stops') await new Promise(() => {});
    }
    if (this.#owner.behaviour === 'stops') await new Promise(() => {});
    if (this.#owner.behaviour === 'speaks') put(true);
    if (this.#owner.behaviour === 'silent') await new Promise(() => {});
  }
}

type Heard = { frames: number; error: unknown; finals: number };

async function speak(engine: tts.TTS, sentences: readonly string[], pauseMs = 0): Promise<Heard> {
  const stream = engine.stream();
  const heard: Heard = { frames: 0, error: undefined, finals: 0 };
  const feed = (async () => {
    for (const [i, s] of sentences.entries()) {
      if (i > 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      stream.pushText(s);
    }
    stream.endInput();
  })();
  try {
    for await (const audio of stream) {
      if (audio === tts.SynthesizeStream.END_OF_STREAM) continue;
      heard.frames++;
      if (audio.final) heard.finals++;
    }
  } catch (err) {
    heard.error = err;
  }
  await feed;
  return heard;
}

/** Unrecoverable errors the TTS reported, as the session would hear them. */
type TtsError = Parameters<tts.TTSCallbacks['error']>[0];

function errorsOf(engine: tts.TTS): TtsError[] {
  const errors: TtsError[] = [];
  engine.on('error', (ev) => errors.push(ev));
  return errors;
}

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

describe('StallWatchdogTTS', () => {
  const stallS = 0.3;

  it('passes a healthy stream through unchanged', async () => {
    const watched = new StallWatchdogTTS(new ScriptedTTS('speaks'), { stallS });
    const errors = errorsOf(watched);
    const heard = await speak(watched, ['Hello there. ', 'How can I help?']);
    expect(heard.error).toBeUndefined();
    expect(heard.frames).toBeGreaterThanOrEqual(4);
    expect(heard.finals).toBe(1);
    expect(errors).toEqual([]);
  });

  it('waits without complaint while the LLM pauses between sentences', async () => {
    const inner = new ScriptedTTS('speaks');
    const watched = new StallWatchdogTTS(inner, { stallS });
    const errors = errorsOf(watched);
    const heard = await speak(watched, ['First. ', 'Second.'], stallS * 1000 * 3);
    expect(errors).toEqual([]);
    expect(heard.finals).toBe(1);
    expect(inner.texts).toEqual(['First. ', 'Second.']);
  });

  it('fails a provider that takes the text and sends nothing, once the stall time has passed', async () => {
    const watched = new StallWatchdogTTS(new ScriptedTTS('silent'), { stallS });
    const errors = errorsOf(watched);
    const started = Date.now();
    await speak(watched, ['Hello.']);
    const tookMs = Date.now() - started;
    expect(errors.map((e) => e.error)).toEqual([expect.any(APIConnectionError)]);
    // Nothing was said yet: a FallbackAdapter can still say it in another voice.
    expect(errors[0]?.recoverable).toBe(true);
    expect(tookMs).toBeGreaterThanOrEqual(stallS * 1000);
    expect(tookMs).toBeLessThan(stallS * 1000 + 2000);
  });

  it('fails a provider that stops mid-sentence after the input ended', async () => {
    const watched = new StallWatchdogTTS(new ScriptedTTS('stops'), { stallS });
    const errors = errorsOf(watched);
    const heard = await speak(watched, ['Hello there, this is a long sentence.']);
    expect(heard.frames).toBeGreaterThan(0);
    expect(errors.map((e) => e.error)).toEqual([expect.any(APIConnectionError)]);
  });

  it('lets the FallbackAdapter speak with the next TTS when the stall came before any audio', async () => {
    const primary = new StallWatchdogTTS(new ScriptedTTS('silent', 'primary'), { stallS });
    const backup = new ScriptedTTS('speaks', 'backup');
    const adapter = ttsWithFallback(primary, backup);
    const changes: { tts: string; available: boolean }[] = [];
    // The adapter emits this event without declaring it in its typed events.
    (adapter as unknown as EventEmitter).on(
      'tts_availability_changed',
      (ev: tts.AvailabilityChangedEvent) =>
        changes.push({ tts: ev.tts.label, available: ev.available }),
    );
    const errors = errorsOf(adapter);
    const heard = await speak(adapter, ['Sorry, one moment.']);
    expect(heard.error).toBeUndefined();
    expect(heard.frames).toBeGreaterThan(0);
    expect(backup.texts.join('')).toContain('Sorry, one moment.');
    expect(changes).toContainEqual({ tts: 'primary', available: false });
    // The switch is no failure of the pipeline: the call's policy decides on the availability event.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.recoverable)).toBe(true);
    await adapter.close();
  });

  it('reports a stall mid-sentence as unrecoverable: the sentence is not restarted in another voice', async () => {
    const primary = new StallWatchdogTTS(new ScriptedTTS('stops', 'primary'), { stallS });
    const adapter = ttsWithFallback(primary, new ScriptedTTS('speaks', 'backup'));
    const errors = errorsOf(adapter);
    await speak(adapter, ['Hello there, this is a long sentence.']);
    expect(errors.filter((e) => !e.recoverable).map((e) => e.label)).toEqual(['primary']);
    await adapter.close();
  });

  it('defaults to a stall time a caller would hear as a short pause, not a dead line', () => {
    expect(TTS_STALL_S).toBeGreaterThanOrEqual(1.5);
    expect(TTS_STALL_S).toBeLessThanOrEqual(3);
  });
});
