/**
 * The OpenAI Realtime model for one call (`@livekit/agents-plugin-openai`),
 * shaped for the phone line and for failing loudly:
 *
 * - The session's own turn decision is off (no server VAD, no server
 *   transcription): the call's VAD, end-of-turn model and STT decide when
 *   the caller has finished, so the exits, keypad entry and logs read the
 *   transcript before the model is asked to answer (agents-js then commits
 *   the caller's audio and asks for a reply).
 * - The caller's audio is resampled to the API's 24 kHz: the plugin sends
 *   frames as they come and declares them 24 kHz, and a call's audio is not.
 * - The socket is opened with an error listener: the plugin's own has none,
 *   so a server answering the upgrade with an HTTP error (a 503 from a load
 *   balancer) raised an uncaught exception that ended the job process and
 *   dropped the call (agents-plugin-openai 1.9.0).
 * - A session that never connects, or a reply the server never starts, is a
 *   failure: the plugin's connection task ends silently when the socket
 *   cannot be reopened, and its own reply timeout is 10 s of dead air.
 *   These and the plugin's unrecoverable errors are reported to
 *   {@link CallRealtimeModel.onFailure} and not passed on (the AgentSession
 *   would close on them), so the provider-failure policy (a transfer, or the
 *   pipeline) acts on a session still open.
 */
import type { llm } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { AudioResampler, type AudioFrame } from '@livekit/rtc-node';
import { WebSocket } from 'ws';
import type { OpenAiRealtimeSettings } from './voice-settings.ts';

/** The Realtime API's PCM rate, input and output. */
export const REALTIME_SAMPLE_RATE = 24_000;

/** Why the realtime model stopped serving the call. */
export type RealtimeFailure = Readonly<{ reason: string }>;

type Listener = (failure: RealtimeFailure) => void;

/**
 * @example
 * const model = new CallRealtimeModel(settings.realtime);
 * model.onFailure(({ reason }) => log.error({ reason }, 'realtime model failed'));
 * new voice.AgentSession({ llm: model, stt, tts, vad, turnHandling });
 */
export class CallRealtimeModel extends openai.realtime.RealtimeModel {
  readonly replyTimeoutMs: number;
  readonly #listeners = new Set<Listener>();
  #failed: RealtimeFailure | undefined;

  constructor(settings: OpenAiRealtimeSettings) {
    super({
      apiKey: settings.apiKey,
      ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
      model: settings.model,
      voice: settings.voice,
      turnDetection: null,
      inputAudioTranscription: null,
      // One attempt to reconnect a dropped socket; then the policy acts.
      connOptions: { maxRetry: 1, retryIntervalMs: 500, timeoutMs: settings.replyTimeoutMs },
    });
    this.replyTimeoutMs = settings.replyTimeoutMs;
  }

  override label(): string {
    return 'openai-realtime';
  }

  override session(): CallRealtimeSession {
    return new CallRealtimeSession(this);
  }

  /** Calls `listener` once when the model fails; returns the unsubscribe function. */
  onFailure(listener: Listener): () => void {
    if (this.#failed) {
      listener(this.#failed);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** @internal The session reports a failure here (at most once per call). */
  fail(reason: string): void {
    if (this.#failed) return;
    this.#failed = Object.freeze({ reason });
    for (const listener of [...this.#listeners]) listener(this.#failed);
    this.#listeners.clear();
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }
}

/** The plugin's session, with the resampling and watchdog described above. */
export class CallRealtimeSession extends openai.realtime.RealtimeSession {
  readonly #model: CallRealtimeModel;
  #resamplers: Map<number, AudioResampler> | undefined;
  /** From creation until the server's first event. */
  #connectWatch: NodeJS.Timeout | undefined;
  /** From a reply's request until the server starts it. */
  #replyWatch: NodeJS.Timeout | undefined;

  constructor(model: CallRealtimeModel) {
    super(model);
    this.#model = model;
    this.#connectWatch = this.#watch('the realtime session did not connect');
  }

  override pushAudio(frame: AudioFrame): void {
    if (frame.sampleRate === REALTIME_SAMPLE_RATE) return super.pushAudio(frame);
    this.#resamplers ??= new Map();
    let resampler = this.#resamplers.get(frame.sampleRate);
    if (!resampler) {
      resampler = new AudioResampler(frame.sampleRate, REALTIME_SAMPLE_RATE, 1);
      this.#resamplers.set(frame.sampleRate, resampler);
    }
    for (const out of resampler.push(frame)) super.pushAudio(out);
  }

  override async generateReply(
    instructions?: string,
    options?: { signal?: AbortSignal },
  ): Promise<llm.GenerationCreatedEvent> {
    clearTimeout(this.#replyWatch);
    this.#replyWatch = this.#watch('the realtime model did not start its reply');
    return super.generateReply(instructions, options);
  }

  /** Sees the server's events and the plugin's errors as the plugin emits them. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'openai_server_event_received') {
      clearTimeout(this.#connectWatch);
      if ((args[0] as { type?: unknown } | undefined)?.type === 'response.created')
        clearTimeout(this.#replyWatch);
    } else if (event === 'error' && !(args[0] as llm.RealtimeModelError).recoverable) {
      // Reported through onFailure; the AgentSession would close on it.
      this.#model.fail((args[0] as llm.RealtimeModelError).error.message);
      return true;
    }
    return super.emit(event, ...args);
  }

  override async close(): Promise<void> {
    clearTimeout(this.#connectWatch);
    clearTimeout(this.#replyWatch);
    for (const resampler of this.#resamplers?.values() ?? []) resampler.close();
    this.#resamplers = undefined;
    await super.close();
  }

  #watch(reason: string): NodeJS.Timeout {
    return setTimeout(() => this.#model.fail(reason), this.#model.replyTimeoutMs);
  }

  static {
    // The plugin's connection task calls `this.createWsConn()` (declared
    // private, so it is replaced here rather than overridden) from the base
    // constructor, before this class's own members exist: it goes on the
    // prototype and reads only what the base has set.
    Object.defineProperty(CallRealtimeSession.prototype, 'createWsConn', {
      value: function (this: CallRealtimeSession) {
        return connect(this);
      },
    });
  }
}

/** Opens the socket the plugin's connection task runs on (see the header). */
function connect(session: CallRealtimeSession): Promise<WebSocket> {
  const o = (session as unknown as { _options: PluginOptions })._options;
  const model = session.realtimeModel as CallRealtimeModel;
  const url = openai.realtime.processBaseURL({
    baseURL: o.baseURL,
    model: o.model,
    isAzure: false,
  });
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${o.apiKey}`, 'User-Agent': 'LiveKit-Agents-JS' },
    });
    const refused = (why: string) => {
      clearTimeout(timeout);
      ws.removeAllListeners();
      ws.on('error', () => {}); // a late error of a socket given up on
      model.fail(`the realtime server refused the connection: ${why}`);
      reject(new Error(why));
    };
    const onError = (err: Error) => refused(err.message);
    const onClose = () => refused('connection closed');
    const timeout = setTimeout(() => {
      refused('connection timed out');
      ws.terminate();
    }, o.connOptions.timeoutMs);
    ws.once('open', () => {
      clearTimeout(timeout);
      // From here the plugin's connection task listens; it sets its listener
      // a few awaits later, and an error meanwhile must not throw.
      ws.off('error', onError);
      ws.off('close', onClose);
      ws.on('error', () => {});
      resolve(ws);
    });
    ws.once('error', onError);
    ws.once('close', onClose);
  });
}

type PluginOptions = Readonly<{
  baseURL: string;
  model: string;
  apiKey: string;
  connOptions: Readonly<{ timeoutMs: number }>;
}>;
