/**
 * A watchdog for a streaming cloud TTS that stops sending audio without an
 * error. `@livekit/agents-plugin-elevenlabs` 1.9.0 waits for a context's
 * `isFinal` with no deadline of its own (only the server's inactivity
 * timeout, minutes long): a provider that accepts the text and then sends
 * nothing, or stops mid-sentence, leaves the caller in dead air, and the
 * `tts.FallbackAdapter` never switches, because it only acts on a child
 * stream that fails.
 *
 * The wrapper sees the text going in and the audio coming out. Audio is
 * owed from the first text after the last frame until a frame arrives, and,
 * once the input has ended, until the segment's final frame. Owed audio
 * that does not come for {@link TTS_STALL_S} fails the stream with an
 * `APIConnectionError`: before any audio the FallbackAdapter speaks with the
 * next TTS; mid-sentence it cannot restart the sentence, so the session
 * reports an unrecoverable TTS error and the call's provider-failure policy
 * takes over (call/converse.ts).
 */
import {
  APIConnectionError,
  DEFAULT_API_CONNECT_OPTIONS,
  log,
  tts,
  type APIConnectOptions,
} from '@livekit/agents';

/**
 * Seconds owed audio may be late before the stream counts as stalled. A
 * live ElevenLabs stream sends its first audio about 0.2 to 0.8 s after a
 * sentence is complete and streams faster than real time after that; 2.5 s
 * covers a slow network and a long first sentence, and is still short
 * enough that the caller hears an apology, not a dead line.
 */
export const TTS_STALL_S = 2.5;

type TtsError = Parameters<tts.TTSCallbacks['error']>[0];

/** How often owed audio is checked; the stall is noticed at most this late. */
const CHECK_MS = 100;

export type TtsWatchdogOptions = Readonly<{
  /** Default {@link TTS_STALL_S}. */
  stallS?: number;
}>;

/**
 * `inner` with a stall watchdog on its streams; everything else (label,
 * model, sample rate, capabilities, one-shot synthesis) is the inner TTS's.
 *
 * @example
 * const speech = ttsWithFallback(new StallWatchdogTTS(elevenLabsTts(settings.tts, persona.voice)), new EspeakTTS());
 */
export class StallWatchdogTTS extends tts.TTS {
  label: string;
  readonly inner: tts.TTS;
  readonly stallMs: number;
  #latest: tts.SynthesizeStream | undefined;
  #latestSpoke = false;

  constructor(inner: tts.TTS, opts: TtsWatchdogOptions = {}) {
    super(inner.sampleRate, inner.numChannels, inner.capabilities);
    this.inner = inner;
    this.label = inner.label;
    this.stallMs = (opts.stallS ?? TTS_STALL_S) * 1000;
    // The inner stream reports its own failure on the inner TTS; the session hears it here.
    inner.on('error', (ev) => this.emit('error', ev));
    inner.on('metrics_collected', (ev) => this.emit('metrics_collected', ev));
  }

  override get model(): string {
    return this.inner.model;
  }

  /**
   * A failure before the stream sent any audio reaches the session as
   * recoverable: the FallbackAdapter speaks the sentence with the next TTS
   * and reports the switch through its availability event, where the call's
   * provider-failure policy decides (carry on offline, or hand the caller
   * on). agents-js 1.9's adapter re-emits a child's error unrecoverable,
   * which took every switch for the end of the pipeline. A failure after
   * audio stays unrecoverable: a sentence cut off is not restarted, and this
   * error is the only sign of it the session gets.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const ev = args[0];
    if (event === 'error' && typeof ev === 'object' && ev !== null && !this.#latestSpoke)
      return super.emit('error', { ...(ev as TtsError), recoverable: true });
    return (super.emit as (event: string | symbol, ...args: unknown[]) => boolean)(event, ...args);
  }

  /** @internal The latest stream sent audio (one call speaks one stream at a time). */
  spoke(stream: tts.SynthesizeStream, spoke: boolean): void {
    if (stream === this.#latest || spoke) this.#latestSpoke = spoke;
  }

  /** @internal */
  opened(stream: tts.SynthesizeStream): void {
    this.#latest = stream;
    this.#latestSpoke = false;
  }

  override get provider(): string {
    return this.inner.provider;
  }

  synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): tts.ChunkedStream {
    return this.inner.synthesize(text, connOptions, abortSignal);
  }

  stream(options?: { connOptions?: APIConnectOptions }): tts.SynthesizeStream {
    const stream = new WatchedSynthesizeStream(
      this,
      options?.connOptions ?? DEFAULT_API_CONNECT_OPTIONS,
    );
    this.opened(stream);
    return stream;
  }

  override async close(): Promise<void> {
    this.inner.removeAllListeners('error');
    this.inner.removeAllListeners('metrics_collected');
    await this.inner.close();
  }
}

/**
 * What the current attempt owes. `since` is when owed audio became due: the
 * first text after the last frame, or the last frame once the input has
 * ended and the segment is not final. Undefined when nothing is owed (a
 * pause between sentences while the LLM is still writing is not a stall).
 */
type Owed = { since: number | undefined; inputEnded: boolean };

/**
 * One inner stream per attempt (without its own retries: this stream's
 * retry loop owns them), fed from this stream's input.
 */
class WatchedSynthesizeStream extends tts.SynthesizeStream {
  label = 'tts.WatchedSynthesizeStream';
  readonly #owner: StallWatchdogTTS;

  constructor(owner: StallWatchdogTTS, connOptions: APIConnectOptions) {
    super(owner, connOptions);
    this.#owner = owner;
  }

  protected async run(): Promise<void> {
    const inner = this.#owner.inner.stream({ connOptions: { ...this.connOptions, maxRetry: 0 } });
    const owed: Owed = { since: undefined, inputEnded: false };
    let stalled = false;
    const stop = () => inner.close();
    this.abortSignal.addEventListener('abort', stop, { once: true });
    const check = setInterval(() => {
      if (owed.since === undefined || Date.now() - owed.since < this.#owner.stallMs) return;
      stalled = true;
      log().warn(
        { tts: this.#owner.label, stallSeconds: this.#owner.stallMs / 1000 },
        'TTS stream stalled: speech is owed and the provider sends no audio',
      );
      inner.close();
    }, CHECK_MS);
    const forward = this.#forward(inner, owed);
    try {
      for await (const audio of inner) {
        if (audio === tts.SynthesizeStream.END_OF_STREAM) {
          if (!this.queue.closed) this.queue.put(audio);
          continue;
        }
        // Past a frame, more is owed only when no more text can come to explain a pause.
        owed.since = !audio.final && owed.inputEnded ? Date.now() : undefined;
        this.#owner.spoke(this, true);
        if (!this.queue.closed) this.queue.put(audio);
      }
    } finally {
      clearInterval(check);
      this.abortSignal.removeEventListener('abort', stop);
      inner.close();
      await forward;
    }
    if (stalled && !this.abortSignal.aborted) {
      throw new APIConnectionError({
        message: `${this.#owner.label} sent no audio for ${this.#owner.stallMs / 1000} s of owed speech`,
        options: { retryable: false },
      });
    }
  }

  /** Feeds this stream's input to `inner`, marking audio owed as text goes in. */
  async #forward(inner: tts.SynthesizeStream, owed: Owed): Promise<void> {
    try {
      for await (const item of this.input) {
        if (item === tts.SynthesizeStream.FLUSH_SENTINEL) {
          inner.flush();
          owed.since ??= Date.now();
          continue;
        }
        if (item.trim() !== '') owed.since ??= Date.now();
        inner.pushText(item);
      }
      owed.inputEnded = true;
      owed.since ??= Date.now();
      inner.endInput();
    } catch {
      // The attempt's stream closed under us; run() sees how it ended.
    }
  }
}
