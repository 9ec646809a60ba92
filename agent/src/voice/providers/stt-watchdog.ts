/**
 * A watchdog for a streaming cloud STT whose connection can die unnoticed.
 * `@livekit/agents-plugin-deepgram` 1.9.0 logs a WebSocket the server closes
 * mid-call ("Deepgram WebSocket closed unexpectedly") but its stream neither
 * fails nor reconnects (livekit/agents-js#2469): the caller is no longer
 * heard, and an `stt.FallbackAdapter` never switches, because it only acts
 * on a child stream that ends or fails.
 *
 * The socket is private to the plugin's stream, so its close cannot be seen
 * from outside without patching the plugin. Its effect can: the wrapper sees
 * every frame pushed to the stream and every event the provider sends back,
 * and a caller who has spoken for {@link DEAF_AFTER_SPEECH_S} with no event
 * from the provider means the stream is deaf. That attempt then ends with an
 * `APIConnectionError`; the stream's retry loop (the FallbackAdapter's
 * `maxRetryPerSTT`) tries a fresh connection, and when that fails too the
 * stream fails for good, which the FallbackAdapter answers by switching to
 * the next STT.
 *
 * What the caller said since the provider's last final transcript is kept
 * (see unanswered-audio.ts): a fresh connection hears it first, and a
 * failed stream leaves it for the STT that takes over (`sttWithFallback`
 * replays it), so the sentence said into the dead connection still counts.
 */
import {
  APIConnectionError,
  APIError,
  DEFAULT_API_CONNECT_OPTIONS,
  log,
  stt,
  type APIConnectOptions,
  type AudioBuffer,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { HalfRate } from '../audio/half-rate.ts';
import { LeftUnanswered, replayedFrames, UnansweredAudio } from './unanswered-audio.ts';

/**
 * Caller speech (frames above {@link SPEECH_RMS}) with no event from the
 * provider after which its stream counts as deaf. A live Deepgram stream
 * answers speech within about a second: a SpeechStarted (the plugin always
 * asks for VAD events) or an interim result. Three seconds of voiced audio,
 * about four to five seconds of talking, leaves room for a slow network and
 * for noise Deepgram rightly ignores; what the caller says meanwhile is
 * kept and replayed, so the wait costs the caller time, not words. A false
 * alarm costs a reconnection, not a switch to the offline recognizer.
 */
export const DEAF_AFTER_SPEECH_S = 3;

/**
 * RMS (16-bit scale) above which a frame counts as caller speech: about
 * -40 dBFS, clearly above G.711 line noise and comfort noise, below any
 * spoken syllable on a phone line.
 */
export const SPEECH_RMS = 328;

export type WatchdogOptions = Readonly<{
  /** Default {@link DEAF_AFTER_SPEECH_S}. */
  deafAfterSpeechS?: number;
  /** Default {@link SPEECH_RMS}. */
  speechRms?: number;
  /**
   * The rate the inner STT's stream takes. Frames at twice this rate are
   * halved here (see audio/half-rate.ts) instead of by the plugin's FFI
   * resampler; other rates reach the plugin as they are.
   */
  providerSampleRate?: number;
}>;

/**
 * The duration of `frame` if it carries speech energy (RMS at least
 * `speechRms`), else 0. One pass over the samples, no allocation.
 *
 * @example
 * voicedSeconds(new AudioFrame(new Int16Array(240).fill(3000), 24000, 1, 240)); // 0.01
 */
export function voicedSeconds(frame: AudioFrame, speechRms = SPEECH_RMS): number {
  const data = frame.data;
  if (data.length === 0) return 0;
  let energy = 0;
  for (let i = 0; i < data.length; i++) {
    const s = data[i] ?? 0;
    energy += s * s;
  }
  return energy >= speechRms * speechRms * data.length
    ? frame.samplesPerChannel / frame.sampleRate
    : 0;
}

/**
 * `inner` with a deafness watchdog on its streams; everything else
 * (label, model, capabilities, batch recognition, keyterms) is the inner STT's.
 *
 * @example
 * const ears = sttWithFallback(new DeafnessWatchdogSTT(deepgramStt(settings.stt, opts)), offlineStt, vad);
 */
export class DeafnessWatchdogSTT extends stt.STT {
  label: string;
  readonly inner: stt.STT;
  readonly deafAfterSpeechS: number;
  readonly speechRms: number;
  readonly providerSampleRate: number | undefined;
  readonly #left = new LeftUnanswered();

  constructor(inner: stt.STT, opts: WatchdogOptions = {}) {
    super(inner.capabilities);
    this.inner = inner;
    this.label = inner.label;
    this.deafAfterSpeechS = opts.deafAfterSpeechS ?? DEAF_AFTER_SPEECH_S;
    this.speechRms = opts.speechRms ?? SPEECH_RMS;
    this.providerSampleRate = opts.providerSampleRate;
  }

  override get model(): string {
    return this.inner.model;
  }

  override get provider(): string {
    return this.inner.provider;
  }

  protected _recognize(frame: AudioBuffer, abortSignal?: AbortSignal): Promise<stt.SpeechEvent> {
    return this.inner.recognize(frame, abortSignal);
  }

  override _updateSessionKeyterms(keyterms: string[]): void {
    this.inner._updateSessionKeyterms(keyterms);
  }

  override _pushConversationItem(ev: Parameters<stt.STT['_pushConversationItem']>[0]): void {
    this.inner._pushConversationItem(ev);
  }

  stream(options?: { connOptions?: APIConnectOptions }): stt.SpeechStream {
    return new WatchedSpeechStream(this, options?.connOptions ?? DEFAULT_API_CONNECT_OPTIONS);
  }

  /**
   * The caller audio the last failed stream left unanswered, oldest first,
   * for the STT that takes over; taken once.
   */
  takeUnanswered(): AudioFrame[] {
    return this.#left.take();
  }

  /** @internal Called by a failing stream. */
  leaveUnanswered(frames: readonly AudioFrame[]): void {
    this.#left.leave(frames);
  }

  override close(): Promise<void> {
    this.#left.clear();
    return this.inner.close();
  }
}

/** One connection to the provider, and the caller speech since its last event. */
type Attempt = {
  inner: stt.SpeechStream;
  /** The frame as the provider takes it. */
  convert: (frame: AudioFrame) => AudioFrame;
  unansweredSpeechS: number;
  deaf: boolean;
};

/** Halves frames at twice the provider's rate, with one filter history per connection. */
function converter(providerRate: number | undefined): (frame: AudioFrame) => AudioFrame {
  if (providerRate === undefined) return (frame) => frame;
  const half = new HalfRate();
  return (frame) =>
    frame.sampleRate === 2 * providerRate && frame.channels === 1 ? half.push(frame) : frame;
}

/**
 * Runs one inner stream per attempt (without its own retries: this stream's
 * retry loop owns them) and forwards input to the current one. Each attempt
 * starts with the audio the last one left unanswered; a failed attempt
 * leaves it with the STT for the fallback.
 */
class WatchedSpeechStream extends stt.SpeechStream {
  label = 'stt.WatchedSpeechStream';
  readonly #owner: DeafnessWatchdogSTT;
  readonly #connOptions: APIConnectOptions;
  readonly #unanswered = new UnansweredAudio();
  #attempt: Attempt | undefined;
  #forwarding = false;
  #inputEnded = false;

  constructor(owner: DeafnessWatchdogSTT, connOptions: APIConnectOptions) {
    super(owner, undefined, connOptions);
    this.#owner = owner;
    this.#connOptions = connOptions;
  }

  protected async run(): Promise<void> {
    if (!this.#forwarding) {
      this.#forwarding = true;
      void this.#forward();
    }
    const provider = this.#owner.inner;
    const inner = provider.stream({ connOptions: { ...this.#connOptions, maxRetry: 0 } });
    // The provider's stream reports its failure on the provider, once it runs.
    let failure: Error | undefined;
    const onError: stt.STTCallbacks['error'] = (ev) => void (failure = ev.error);
    provider.on('error', onError);
    inner.startTimeOffset = Math.max(0, this.startTimeOffset - this.#unanswered.seconds);
    // A reconnection hears first what the dead one missed (unanswered, it is not counted again).
    const convert = converter(this.#owner.providerSampleRate);
    for (const frame of this.#unanswered.frames) inner.pushFrame(convert(frame));
    const attempt: Attempt = { inner, convert, unansweredSpeechS: 0, deaf: false };
    this.#attempt = attempt;
    const stop = () => inner.close();
    this.abortSignal.addEventListener('abort', stop, { once: true });
    try {
      if (this.#inputEnded) inner.endInput();
      for await (const ev of inner) {
        if (ev.type !== stt.SpeechEventType.RECOGNITION_USAGE) attempt.unansweredSpeechS = 0;
        if (ev.type === stt.SpeechEventType.FINAL_TRANSCRIPT) this.#unanswered.clear();
        if (!this.queue.closed) this.queue.put(ev);
      }
    } finally {
      this.abortSignal.removeEventListener('abort', stop);
      provider.off('error', onError);
      if (this.#attempt === attempt) this.#attempt = undefined;
      inner.close();
    }
    if (this.abortSignal.aborted || (!inner._failed && !attempt.deaf && this.#inputEnded)) return;
    this.#owner.leaveUnanswered(this.#unanswered.frames);
    if (attempt.deaf) {
      throw new APIConnectionError({
        message: `${provider.label} answered none of ${this.#owner.deafAfterSpeechS} s of caller speech`,
      });
    }
    if (inner._failed && failure instanceof APIError) throw failure;
    throw new APIConnectionError({
      message: `${provider.label} stream ${inner._failed ? 'failed' : 'ended mid-call'}`,
    });
  }

  /** The one reader of this stream's input, for its whole life. */
  async #forward(): Promise<void> {
    for await (const item of this.input) {
      const attempt = this.#attempt;
      if (item === stt.SpeechStream.FLUSH_SENTINEL) {
        try {
          if (attempt && !attempt.deaf) attempt.inner.flush();
        } catch {
          // The attempt's stream closed under us; run() sees how it ended.
        }
        continue;
      }
      const voiced = voicedSeconds(item, this.#owner.speechRms);
      // Kept even between attempts: the next listener hears it.
      this.#unanswered.push(item, voiced > 0);
      if (!attempt || attempt.deaf) continue;
      try {
        attempt.inner.pushFrame(attempt.convert(item));
      } catch {
        continue;
      }
      // A replay arrives at once: the provider cannot have answered it yet.
      if (replayedFrames.has(item)) continue;
      attempt.unansweredSpeechS += voiced;
      if (attempt.unansweredSpeechS >= this.#owner.deafAfterSpeechS) this.#deafened(attempt);
    }
    this.#inputEnded = true;
    try {
      this.#attempt?.inner.endInput();
    } catch {
      // Already closed.
    }
  }

  #deafened(attempt: Attempt): void {
    attempt.deaf = true;
    log().warn(
      { stt: this.#owner.label, unansweredSpeechSeconds: this.#owner.deafAfterSpeechS },
      'STT stream is deaf: the caller spoke and the provider answered nothing',
    );
    attempt.inner.close();
  }
}
