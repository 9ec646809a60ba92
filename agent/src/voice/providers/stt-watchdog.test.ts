import type { EventEmitter } from 'node:events';
import {
  APIConnectionError,
  APIStatusError,
  initializeLogger,
  normalizeLanguage,
  stt,
  type APIConnectOptions,
  type AudioBuffer,
  type VAD,
} from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sttWithFallback } from './fallback.ts';
import { loadVad } from './local-models.ts';
import {
  DEAF_AFTER_SPEECH_S,
  DeafnessWatchdogSTT,
  SPEECH_RMS,
  voicedSeconds,
} from './stt-watchdog.ts';
import { KEPT_PAUSE_S, replayedFrames } from './unanswered-audio.ts';

/** What one connection of {@link ScriptedSTT} does. */
type Behaviour = 'answers' | 'answers-once' | 'deaf' | 'refuses';

/**
 * A provider whose n-th stream behaves as `behaviours[n]` (the last one
 * repeats): it answers every voiced frame with an interim result and a
 * flush with a final one (`answers-once`: until that final, then goes
 * deaf), swallows audio without a word (a dead socket the plugin did not
 * notice), or refuses to connect. Each stream keeps the frames it received.
 */
class ScriptedSTT extends stt.STT {
  label: string;
  readonly streams: ScriptedStream[] = [];
  readonly #behaviours: readonly Behaviour[];

  constructor(behaviours: readonly Behaviour[], label = 'scripted.STT') {
    super({ streaming: true, interimResults: true });
    this.#behaviours = behaviours;
    this.label = label;
  }

  protected _recognize(_frame: AudioBuffer): Promise<stt.SpeechEvent> {
    throw new Error('streaming only');
  }

  stream(options?: { connOptions?: APIConnectOptions }): ScriptedStream {
    const behaviour = this.#behaviours[this.streams.length] ?? this.#behaviours.at(-1) ?? 'deaf';
    const stream = new ScriptedStream(this, behaviour, options?.connOptions);
    this.streams.push(stream);
    return stream;
  }
}

class ScriptedStream extends stt.SpeechStream {
  label = 'scripted.SpeechStream';
  readonly behaviour: Behaviour;
  readonly #text: string;
  readonly received: AudioFrame[] = [];
  connOptions: APIConnectOptions | undefined;

  constructor(owner: ScriptedSTT, behaviour: Behaviour, connOptions?: APIConnectOptions) {
    super(owner, undefined, connOptions);
    this.behaviour = behaviour;
    this.connOptions = connOptions;
    this.#text = `${owner.label} heard you`;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  protected async run(): Promise<void> {
    if (this.behaviour === 'refuses') {
      throw new APIStatusError({ message: 'refused (503)', options: { statusCode: 503 } });
    }
    const said = (type: stt.SpeechEventType): stt.SpeechEvent => ({
      type,
      alternatives: [
        {
          text: this.#text,
          language: normalizeLanguage('en-US'),
          startTime: 0,
          endTime: 0,
          confidence: 1,
        },
      ],
    });
    let deaf = this.behaviour === 'deaf';
    for await (const item of this.input) {
      if (item !== stt.SpeechStream.FLUSH_SENTINEL) this.received.push(item);
      if (deaf) continue;
      if (item === stt.SpeechStream.FLUSH_SENTINEL) {
        this.queue.put(said(stt.SpeechEventType.FINAL_TRANSCRIPT));
        deaf = this.behaviour === 'answers-once';
      } else if (voicedSeconds(item) > 0) {
        this.queue.put(said(stt.SpeechEventType.INTERIM_TRANSCRIPT));
      }
    }
  }
}

/** 10 ms at 24 kHz, the room input's rate: a square wave of `amplitude`. */
const frame = (amplitude: number) => {
  const samples = new Int16Array(240);
  for (let i = 0; i < samples.length; i++) samples[i] = i % 2 === 0 ? amplitude : -amplitude;
  return new AudioFrame(samples, 24000, 1, 240);
};
const SPEECH = 3000;
const LINE_NOISE = 100;

/** Pushes `seconds` of 10 ms frames; returns them. */
function say(stream: stt.SpeechStream, seconds: number, amplitude = SPEECH): AudioFrame[] {
  const frames = Array.from({ length: Math.round(seconds * 100) }, () => frame(amplitude));
  for (const f of frames) stream.pushFrame(f);
  return frames;
}

/** Polls `check` on every turn of the event loop, for at most 10 s. */
async function waitFor(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Speech at the pace a call delivers it, as far as the watchdog can tell:
 * each 0.1 s reaches the provider before the next is pushed, so its answers
 * are not outrun by audio pushed all at once.
 */
async function talk(stream: stt.SpeechStream, provider: ScriptedSTT, seconds: number) {
  const target = () => provider.streams.at(-1)?.received.length ?? 0;
  for (let step = 0; step < Math.round(seconds * 10); step++) {
    const expected = target() + say(stream, 0.1).length;
    await waitFor(() => target() === expected, 'the provider received the audio');
  }
}

/** Reads `stream` to its end; `seen` fills as events arrive. */
function collect(
  stream: stt.SpeechStream,
): Promise<stt.SpeechEvent[]> & { seen: stt.SpeechEvent[] } {
  const seen: stt.SpeechEvent[] = [];
  const done = (async () => {
    for await (const ev of stream) seen.push(ev);
    return seen;
  })();
  return Object.assign(done, { seen });
}

const finals = (events: { seen: readonly stt.SpeechEvent[] }) =>
  events.seen.filter((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT).length;

/** The same frame objects in the same order (frames of one amplitude are all deeply equal). */
const sameFrames = (a: readonly AudioFrame[], b: readonly AudioFrame[]) =>
  a.length === b.length && a.every((f, i) => f === b[i]);

const texts = (events: readonly stt.SpeechEvent[], type: stt.SpeechEventType) =>
  events.filter((e) => e.type === type).map((e) => e.alternatives?.[0].text);

const NO_RETRY: APIConnectOptions = { maxRetry: 0, timeoutMs: 10_000, retryIntervalMs: 0 };
const ONE_RETRY: APIConnectOptions = { maxRetry: 1, timeoutMs: 10_000, retryIntervalMs: 0 };

/** A watched provider with its error events recorded. */
function watched(behaviours: readonly Behaviour[]) {
  const provider = new ScriptedSTT(behaviours);
  const ears = new DeafnessWatchdogSTT(provider);
  const errors: Parameters<stt.STTCallbacks['error']>[0][] = [];
  ears.on('error', (ev) => errors.push(ev));
  return { provider, ears, errors };
}

let vad: VAD;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'fatal' });
  vad = await loadVad({ vadMinSilenceMs: 400 });
});
afterAll(async () => {
  await vad.close();
});

describe('voicedSeconds', () => {
  it("counts a frame's duration when it carries speech energy", () => {
    expect(voicedSeconds(frame(SPEECH))).toBeCloseTo(0.01);
    expect(voicedSeconds(frame(SPEECH_RMS))).toBeCloseTo(0.01);
  });

  it('counts nothing for line noise, silence or an empty frame', () => {
    expect(voicedSeconds(frame(LINE_NOISE))).toBe(0);
    expect(voicedSeconds(frame(0))).toBe(0);
    expect(voicedSeconds(new AudioFrame(new Int16Array(0), 24000, 1, 0))).toBe(0);
  });
});

describe('DeafnessWatchdogSTT', () => {
  it('is the inner STT to the outside: label, model, provider, capabilities', async () => {
    const inner = new deepgram.STT({ apiKey: 'unused', model: 'nova-3' });
    const ears = new DeafnessWatchdogSTT(inner);
    expect(ears.inner).toBe(inner);
    expect(ears.label).toBe('deepgram.STT');
    expect(ears.model).toBe('nova-3');
    expect(ears.provider).toBe('Deepgram');
    expect(ears.capabilities).toEqual(inner.capabilities);
    expect(ears.deafAfterSpeechS).toBe(DEAF_AFTER_SPEECH_S);
    await ears.close();
  });

  it("passes the provider's events through while it answers", async () => {
    const { provider, ears, errors } = watched(['answers']);
    const stream = ears.stream({ connOptions: NO_RETRY });
    const events = collect(stream);
    await talk(stream, provider, DEAF_AFTER_SPEECH_S * 3);
    stream.flush();
    stream.endInput();
    const seen = await events;
    expect(texts(seen, stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual(['scripted.STT heard you']);
    expect(texts(seen, stt.SpeechEventType.INTERIM_TRANSCRIPT).length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(stream._failed).toBe(false);
    expect(provider.streams).toHaveLength(1);
    // Retries are the watchdog's, not the provider stream's.
    expect(provider.streams[0]?.connOptions).toMatchObject({ maxRetry: 0 });
    expect(ears.takeUnanswered()).toEqual([]);
  });

  it('does not count line noise as speech', async () => {
    const { provider, ears, errors } = watched(['deaf']);
    const stream = ears.stream({ connOptions: NO_RETRY });
    const events = collect(stream);
    const n = say(stream, DEAF_AFTER_SPEECH_S * 4, LINE_NOISE).length;
    await waitFor(() => provider.streams[0]?.received.length === n, 'all frames forwarded');
    expect(provider.streams[0]?.isClosed).toBe(false);
    stream.endInput();
    await events;
    expect(errors).toEqual([]);
    expect(stream._failed).toBe(false);
  });

  it(`fails a deaf stream once the caller has spoken ${DEAF_AFTER_SPEECH_S} s unanswered, not before`, async () => {
    const { provider, ears, errors } = watched(['deaf']);
    const stream = ears.stream({ connOptions: NO_RETRY });
    const events = collect(stream);
    // Speech with pauses: only the voiced frames count.
    let n = 0;
    for (let i = 0; i < 5; i++) {
      n += say(stream, (DEAF_AFTER_SPEECH_S - 0.1) / 5).length;
      n += say(stream, 0.5, LINE_NOISE).length;
    }
    await waitFor(() => provider.streams[0]?.received.length === n, 'all frames forwarded');
    expect(provider.streams[0]?.isClosed).toBe(false);
    expect(errors).toEqual([]);

    say(stream, 0.2);
    await waitFor(() => errors.length > 0, 'an error');
    await events;
    expect(provider.streams[0]?.isClosed).toBe(true);
    expect(errors[0]?.error).toBeInstanceOf(APIConnectionError);
    expect(errors[0]?.error.message).toMatch(/scripted\.STT answered none of 3 s of caller speech/);
    expect(errors[0]?.recoverable).toBe(false);
    expect(stream._failed).toBe(true);
  });

  it('does not count a replay of earlier speech toward deafness', async () => {
    const { provider, ears, errors } = watched(['deaf']);
    const stream = ears.stream({ connOptions: NO_RETRY });
    const events = collect(stream);
    const replay = Array.from({ length: (DEAF_AFTER_SPEECH_S + 1) * 100 }, () => frame(SPEECH));
    for (const f of replay) {
      replayedFrames.add(f);
      stream.pushFrame(f);
    }
    const live = say(stream, DEAF_AFTER_SPEECH_S - 0.5);
    const n = replay.length + live.length;
    await waitFor(() => provider.streams[0]?.received.length === n, 'all frames forwarded');
    expect(provider.streams[0]?.isClosed).toBe(false);
    say(stream, 1);
    await waitFor(() => errors.length > 0, 'an error');
    await events;
    expect(errors[0]?.error.message).toMatch(/answered none of 3 s/);
  });

  it('reconnects, replays what the dead connection missed, and carries on', async () => {
    const { provider, ears, errors } = watched(['answers-once', 'answers']);
    const stream = ears.stream({ connOptions: ONE_RETRY });
    const events = collect(stream);
    await talk(stream, provider, 1);
    stream.flush();
    await waitFor(() => finals(events) === 1, 'the first sentence answered');
    const missed = say(stream, DEAF_AFTER_SPEECH_S + 0.5);
    await waitFor(() => provider.streams.length === 2, 'a second connection');
    const after = say(stream, 1);
    stream.flush();
    stream.endInput();
    const seen = await events;
    expect(provider.streams[0]?.isClosed).toBe(true);
    // What the first connection missed, up to the deafness, then what followed.
    const again = provider.streams[1]?.received ?? [];
    const upToDeafness = DEAF_AFTER_SPEECH_S * 100;
    expect(sameFrames(again.slice(0, upToDeafness), missed.slice(0, upToDeafness))).toBe(true);
    expect(sameFrames(again.slice(-after.length), after)).toBe(true);
    expect(texts(seen, stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual([
      'scripted.STT heard you',
      'scripted.STT heard you',
    ]);
    expect(errors).toEqual([]);
    expect(stream._failed).toBe(false);
  });

  it("fails with the provider's own error when it refuses to connect", async () => {
    const { provider, ears, errors } = watched(['refuses']);
    const stream = ears.stream({ connOptions: NO_RETRY });
    await collect(stream);
    expect(provider.streams).toHaveLength(1);
    expect(errors.map((e) => e.error)).toEqual([expect.any(APIStatusError)]);
    expect(errors[0]?.error.message).toBe('refused (503)');
    expect(stream._failed).toBe(true);
  });

  it('ends quietly when the stream is closed', async () => {
    const { provider, ears, errors } = watched(['deaf']);
    const stream = ears.stream({ connOptions: ONE_RETRY });
    const events = collect(stream);
    say(stream, 1);
    await waitFor(() => provider.streams[0]?.received.length === 100, 'frames forwarded');
    stream.close();
    await events;
    expect(provider.streams[0]?.isClosed).toBe(true);
    expect(provider.streams).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(ears.takeUnanswered()).toEqual([]);
  });
});

describe('sttWithFallback and a watched primary', () => {
  it('switches to the fallback when the primary goes deaf and will not reconnect, replaying what it missed', async () => {
    const primary = watched(['answers-once', 'refuses']);
    const offline = new ScriptedSTT(['answers'], 'offline.STT');
    const adapter = sttWithFallback(primary.ears, offline, vad);
    const availability: { label: string; available: boolean }[] = [];
    // The adapter emits this event without declaring it in its typed events.
    (adapter as unknown as EventEmitter).on(
      'stt_availability_changed',
      (ev: stt.AvailabilityChangedEvent) =>
        availability.push({ label: ev.stt.label, available: ev.available }),
    );
    // The FallbackAdapter's children get one retry: one refused reconnection.
    const stream = adapter.stream();
    const events = collect(stream);
    await talk(stream, primary.provider, 1);
    stream.flush();
    await waitFor(() => finals(events) === 1, 'the first sentence answered');

    // A sentence into the dead connection, a pause, more words: that trips the watchdog.
    const sentence = say(stream, 1.5);
    const pause = say(stream, 2, 0);
    const more = say(stream, DEAF_AFTER_SPEECH_S);
    await waitFor(() => offline.streams.length === 1, 'the fallback takes over');
    say(stream, 0.5);
    stream.flush();
    stream.endInput();
    const seen = await events;

    expect(availability).toEqual([{ label: 'scripted.STT', available: false }]);
    expect(texts(seen, stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual([
      'scripted.STT heard you',
      'offline.STT heard you',
    ]);
    // The fallback heard the sentence first, the pause cut to KEPT_PAUSE_S, then the rest.
    const heard = offline.streams[0]?.received ?? [];
    const kept = [...sentence, ...pause.slice(0, KEPT_PAUSE_S * 100), ...more];
    expect(sameFrames(heard.slice(0, 250), kept.slice(0, 250))).toBe(true);
    expect(heard).not.toContain(pause.at(-1));
    // The deaf connection, the refused reconnection, then the adapter's recovery probe.
    expect(primary.provider.streams.map((s) => s.behaviour)).toEqual([
      'answers-once',
      'refuses',
      'refuses',
    ]);
    await adapter.close();
  });
});

describe('DeafnessWatchdogSTT at the call rate', () => {
  it('halves 16 kHz frames for an 8 kHz provider and leaves other rates to the plugin', async () => {
    const provider = new ScriptedSTT(['answers']);
    const ears = new DeafnessWatchdogSTT(provider, { providerSampleRate: 8000 });
    const stream = ears.stream({ connOptions: NO_RETRY });
    const events = collect(stream);
    const wide = new AudioFrame(new Int16Array(160).fill(SPEECH), 16000, 1, 160);
    stream.pushFrame(wide);
    stream.pushFrame(frame(SPEECH));
    await waitFor(() => (provider.streams[0]?.received.length ?? 0) === 2, 'both frames arrived');
    const [halved, asIs] = provider.streams[0]?.received ?? [];
    expect([halved?.sampleRate, halved?.samplesPerChannel]).toEqual([8000, 80]);
    expect(asIs?.sampleRate).toBe(24000);
    stream.endInput();
    await events;
  });
});
