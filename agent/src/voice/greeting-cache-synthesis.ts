/**
 * How the greeting cache gets audio: one synthesis attempt that reports
 * failure (which an agents-js synthesis does not do by itself), and a
 * recording that any number of readers replay while it is still filling.
 */
import { tts, type APIConnectOptions } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';

/** Synthesis of a greeting that failed or produced no audio. */
export class GreetingSynthesisError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GreetingSynthesisError';
  }
}

type TtsError = Parameters<tts.TTSCallbacks['error']>[0];

/**
 * One attempt, and a bounded wait for the provider: the caller is waiting in
 * silence, and the fallback voice is the better answer to a failure.
 */
export const GREETING_CONN_OPTIONS: APIConnectOptions = Object.freeze({
  maxRetry: 0,
  retryIntervalMs: 0,
  timeoutMs: 5000,
});

/**
 * Synthesizes `text` as compact frame copies, and throws when synthesis
 * failed. An agents-js synthesis that fails just ends (its error goes to the
 * engine's `error` event), which would otherwise look like a complete,
 * possibly truncated, greeting. The `error` listener also keeps an engine
 * nothing else listens to from raising an unhandled `error` event.
 */
export async function* synthesize(engine: tts.TTS, text: string): AsyncGenerator<AudioFrame> {
  const failed: { error?: Error } = {};
  const onError = (event: TtsError) => {
    if (!event.recoverable) failed.error ??= event.error;
  };
  engine.on('error', onError);
  let frames = 0;
  try {
    for await (const audio of speak(engine, text)) {
      frames += 1;
      yield copy(audio.frame);
    }
  } finally {
    engine.off('error', onError);
  }
  if (failed.error)
    throw new GreetingSynthesisError(`${engine.label} failed`, { cause: failed.error });
  if (frames === 0) throw new GreetingSynthesisError(`${engine.label} produced no audio`);
}

/**
 * The engine's audio for `text`: through its streaming API when it has one
 * (some plugins' `synthesize` ignores the connection options, retrying for
 * seconds), else through `synthesize`.
 */
async function* speak(engine: tts.TTS, text: string): AsyncGenerator<tts.SynthesizedAudio> {
  if (!engine.capabilities.streaming) {
    yield* engine.synthesize(text, GREETING_CONN_OPTIONS);
    return;
  }
  const stream = engine.stream({ connOptions: GREETING_CONN_OPTIONS });
  try {
    stream.pushText(text);
    stream.endInput();
    for await (const audio of stream) {
      if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
      yield audio;
    }
  } finally {
    stream.close();
  }
}

/** A compact copy: frames from a byte stream may view a larger buffer. */
export function copy(frame: AudioFrame): AudioFrame {
  const samples = frame.samplesPerChannel * frame.channels;
  return new AudioFrame(
    frame.data.slice(0, samples),
    frame.sampleRate,
    frame.channels,
    frame.samplesPerChannel,
  );
}

/** Frames as they arrive, readable by any number of readers from the start. */
export class Recording {
  readonly frames: AudioFrame[] = [];
  #done = false;
  #error: { error: unknown } | undefined;
  #wake: (() => void)[] = [];

  push(frame: AudioFrame): void {
    this.frames.push(frame);
    this.#notify();
  }

  finish(): void {
    this.#done = true;
    this.#notify();
  }

  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = { error };
    this.#notify();
  }

  async *read(): AsyncGenerator<AudioFrame> {
    for (let i = 0; ;) {
      while (i < this.frames.length) yield this.frames[i++] as AudioFrame;
      if (this.#error) throw this.#error.error;
      if (this.#done) return;
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}
