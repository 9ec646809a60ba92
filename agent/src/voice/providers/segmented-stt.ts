/**
 * A speech-to-text that answers one request per utterance (the OpenAI
 * transcription API, `/v1/audio/transcriptions`), made streaming by the VAD:
 * each stretch of caller speech is sent once the VAD says it ended.
 *
 * agents-js 1.9 has an adapter for this (`stt.StreamAdapter`), but it logs
 * a failed request and drops the utterance: the stream never fails, so an
 * `stt.FallbackAdapter` never switches, and a caller talking to a server that
 * is down is not heard at all. Here a request that fails, or sends no
 * transcript within {@link RECOGNIZE_TIMEOUT_BASE_S} plus the utterance's
 * length, fails the stream attempt: the stream's retry loop sends the same
 * utterance again on the next attempt, and when retries run out the
 * FallbackAdapter switches to the next STT, which is handed the utterance
 * to hear (`takeUnanswered`, see fallback.ts).
 */
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  DEFAULT_API_CONNECT_OPTIONS,
  stt,
  VADEventType,
  type APIConnectOptions,
  type AudioBuffer,
  type VAD,
  type VADStream,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { LeftUnanswered } from './unanswered-audio.ts';

/**
 * Seconds a transcription may take beyond the utterance's own length. A
 * hosted model answers a sentence in 0.3 to 1 s; a self-hosted one on a CPU
 * runs at about real time. Past that the caller is waiting on a dead server.
 */
export const RECOGNIZE_TIMEOUT_BASE_S = 3;

export type SegmentedOptions = Readonly<{
  /** Default {@link RECOGNIZE_TIMEOUT_BASE_S}. */
  timeoutBaseS?: number;
}>;

/**
 * agents-js 1.9's `VADStream.endInput` neither ends the stream nor resolves
 * cleanly (it closes a writable stream its own writer holds locked, which
 * rejects). So the end of this stream's input closes the VAD stream this
 * long after the last frame instead: time for the VAD to report an
 * utterance that ended just before (its silence window, 400 ms, and lag).
 */
const INPUT_END_GRACE_MS = 1000;

const seconds = (frames: readonly AudioFrame[]) =>
  frames.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0);

/**
 * @example
 * const ears = new SegmentedSTT(new openai.STT({ useRealtime: false, baseURL, model, apiKey }), vad);
 */
export class SegmentedSTT extends stt.STT {
  label: string;
  readonly inner: stt.STT;
  readonly vad: VAD;
  readonly timeoutBaseS: number;
  readonly #left = new LeftUnanswered();

  constructor(inner: stt.STT, vad: VAD, opts: SegmentedOptions = {}) {
    super({ ...inner.capabilities, streaming: true, interimResults: false });
    this.inner = inner;
    this.vad = vad;
    this.label = inner.label;
    this.timeoutBaseS = opts.timeoutBaseS ?? RECOGNIZE_TIMEOUT_BASE_S;
    inner.on('metrics_collected', (ev) => this.emit('metrics_collected', ev));
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

  stream(options?: { connOptions?: APIConnectOptions }): stt.SpeechStream {
    return new SegmentedSpeechStream(this, options?.connOptions ?? DEFAULT_API_CONNECT_OPTIONS);
  }

  /** The utterance the last failed stream left unanswered, for the STT that takes over; taken once. */
  takeUnanswered(): AudioFrame[] {
    return this.#left.take();
  }

  /** @internal Called by a failing stream. */
  leaveUnanswered(frames: readonly AudioFrame[]): void {
    this.#left.leave(frames);
  }

  /**
   * @internal One utterance, transcribed within the deadline.
   * @throws {APIError} the provider's failure, or an APITimeoutError at the deadline.
   */
  async transcribe(frames: AudioFrame[], signal: AbortSignal): Promise<stt.SpeechEvent> {
    const limitS = this.timeoutBaseS + seconds(frames);
    const deadline = AbortSignal.timeout(Math.round(limitS * 1000));
    try {
      return await this.inner.recognize(frames, AbortSignal.any([signal, deadline]));
    } catch (err) {
      if (signal.aborted) throw err;
      if (deadline.aborted)
        throw new APITimeoutError({
          message: `${this.label} sent no transcript within ${limitS.toFixed(1)} s`,
        });
      if (err instanceof APIError) throw err;
      throw new APIConnectionError({
        message: `${this.label} transcription failed: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  override close(): Promise<void> {
    this.#left.clear();
    return this.inner.close();
  }
}

/**
 * One VAD stream per attempt, fed from this stream's input; an utterance
 * whose request failed is sent first on the next attempt.
 */
class SegmentedSpeechStream extends stt.SpeechStream {
  label = 'stt.SegmentedSpeechStream';
  readonly #owner: SegmentedSTT;
  #vad: VADStream | undefined;
  #pending: AudioFrame[] | undefined;
  #forwarding = false;
  #inputEnded = false;

  constructor(owner: SegmentedSTT, connOptions: APIConnectOptions) {
    super(owner, undefined, connOptions);
    this.#owner = owner;
  }

  protected async run(): Promise<void> {
    if (!this.#forwarding) {
      this.#forwarding = true;
      void this.#forward();
    }
    const vad = this.#owner.vad.stream();
    this.#vad = vad;
    const stop = () => closeVad(vad);
    this.abortSignal.addEventListener('abort', stop, { once: true });
    try {
      if (this.#pending) await this.#send(this.#pending, Date.now());
      if (this.#inputEnded) this.#endVad();
      for await (const ev of vad) {
        if (ev.type === VADEventType.START_OF_SPEECH) {
          this.#put({ type: stt.SpeechEventType.START_OF_SPEECH });
        } else if (ev.type === VADEventType.END_OF_SPEECH) {
          const speechEndTime = Date.now() - ev.silenceDuration - ev.inferenceDuration;
          this.#put({ type: stt.SpeechEventType.END_OF_SPEECH, speechEndTime });
          this.#pending = ev.frames;
          await this.#send(ev.frames, speechEndTime);
        }
      }
    } catch (err) {
      if (this.#pending && !this.abortSignal.aborted) this.#owner.leaveUnanswered(this.#pending);
      throw err;
    } finally {
      this.abortSignal.removeEventListener('abort', stop);
      if (this.#vad === vad) this.#vad = undefined;
      closeVad(vad);
    }
  }

  /** Ends the current VAD stream once it has had time to report what it heard (see INPUT_END_GRACE_MS). */
  #endVad(): void {
    const vad = this.#vad;
    if (vad) setTimeout(() => closeVad(vad), INPUT_END_GRACE_MS).unref();
  }

  async #send(frames: AudioFrame[], speechEndTime: number): Promise<void> {
    const ev = await this.#owner.transcribe(frames, this.abortSignal);
    this.#pending = undefined;
    if (ev.alternatives?.[0]?.text)
      this.#put({ ...ev, speechEndTime: ev.speechEndTime ?? speechEndTime });
  }

  #put(ev: stt.SpeechEvent): void {
    if (!this.queue.closed) this.queue.put(ev);
  }

  /** The one reader of this stream's input, for its whole life. */
  async #forward(): Promise<void> {
    for await (const item of this.input) {
      const vad = this.#vad;
      if (!vad) continue;
      try {
        if (item === stt.SpeechStream.FLUSH_SENTINEL) vad.flush();
        else vad.pushFrame(item);
      } catch {
        // The attempt's VAD stream closed under us; run() sees how it ended.
      }
    }
    this.#inputEnded = true;
    this.#endVad();
  }
}

const closedVads = new WeakSet<VADStream>();

/** Closes a VAD stream once: a second close rejects asynchronously in agents-js 1.9. */
function closeVad(vad: VADStream): void {
  if (closedVads.has(vad)) return;
  closedVads.add(vad);
  try {
    vad.close();
  } catch {
    // Closed by its owner already.
  }
}
