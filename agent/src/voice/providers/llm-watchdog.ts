/**
 * A watchdog for a streaming LLM that stops sending tokens without an
 * error. The OpenAI SDK's timeout (the `timeoutMs` the FallbackAdapter sets
 * from its `attemptTimeout`) ends when the response headers arrive: a
 * server that answers 200 and then never sends the first token, or stops
 * mid-reply, keeps the stream open with no deadline, and the call sits in
 * dead air with the agent "thinking" (the handoff policy's silence timer
 * does not run while the agent thinks).
 *
 * The wrapper times the chunks: none for {@link LLM_STALL_S} from the
 * request, or between two chunks, fails the stream with an
 * `APIConnectionError`, which the `llm.FallbackAdapter` answers by switching
 * to the next LLM (before any chunk) and the session reports as an
 * unrecoverable LLM error (after one), so the call's provider-failure
 * policy takes over either way (call/converse.ts).
 */
import {
  APIConnectionError,
  DEFAULT_API_CONNECT_OPTIONS,
  llm,
  log,
  type APIConnectOptions,
} from '@livekit/agents';

/**
 * Seconds without a chunk after which an LLM stream counts as stalled. A
 * chat model's first token takes well under a second (gpt-4.1-mini with
 * tools: 0.3 to 1.5 s), so 4 s is a hung request, and the caller hears the
 * stand-in or the apology a few seconds after they stopped talking.
 * Reasoning models that think for longer before their first token need more.
 */
export const LLM_STALL_S = 4;

/** How often the stream is checked; the stall is noticed at most this late. */
const CHECK_MS = 100;

type ChatArgs = Parameters<llm.LLM['chat']>[0];

export type LlmWatchdogOptions = Readonly<{
  /** Default {@link LLM_STALL_S}. */
  stallS?: number;
}>;

/**
 * `inner` with a stall watchdog on its streams; label, model and prewarm
 * are the inner LLM's.
 *
 * @example
 * const brain = llmWithFallback(new StallWatchdogLLM(openAiLlm(settings.llm)), new RulesLLM(persona, call));
 */
export class StallWatchdogLLM extends llm.LLM {
  readonly inner: llm.LLM;
  readonly stallMs: number;

  constructor(inner: llm.LLM, opts: LlmWatchdogOptions = {}) {
    super();
    this.inner = inner;
    this.stallMs = (opts.stallS ?? LLM_STALL_S) * 1000;
    // The inner stream reports its own failure on the inner LLM; the adapter listens here.
    inner.on('error', (ev) => this.emit('error', ev));
    inner.on('metrics_collected', (ev) => this.emit('metrics_collected', ev));
  }

  label(): string {
    return this.inner.label();
  }

  override get model(): string {
    return this.inner.model;
  }

  override get provider(): string {
    return this.inner.provider;
  }

  chat(args: ChatArgs): llm.LLMStream {
    return new WatchedLLMStream(this, args);
  }

  override prewarm(): void {
    this.inner.prewarm();
  }

  override async aclose(): Promise<void> {
    this.inner.removeAllListeners('error');
    this.inner.removeAllListeners('metrics_collected');
    await this.inner.aclose();
  }
}

/** One inner stream per attempt (without its own retries: this stream's retry loop owns them). */
class WatchedLLMStream extends llm.LLMStream {
  readonly #owner: StallWatchdogLLM;
  readonly #args: ChatArgs;

  constructor(owner: StallWatchdogLLM, args: ChatArgs) {
    const connOptions: APIConnectOptions = args.connOptions ?? DEFAULT_API_CONNECT_OPTIONS;
    super(owner, {
      chatCtx: args.chatCtx,
      ...(args.toolCtx ? { toolCtx: args.toolCtx } : {}),
      connOptions,
    });
    this.#owner = owner;
    this.#args = args;
  }

  protected async run(): Promise<void> {
    const inner = this.#owner.inner.chat({
      ...this.#args,
      connOptions: { ...this._connOptions, maxRetry: 0 },
    });
    let last = Date.now();
    let chunks = 0;
    let stalled = false;
    const stop = () => inner.close();
    this.abortController.signal.addEventListener('abort', stop, { once: true });
    const check = setInterval(() => {
      if (Date.now() - last < this.#owner.stallMs) return;
      stalled = true;
      log().warn(
        { llm: this.#owner.label(), chunks, stallSeconds: this.#owner.stallMs / 1000 },
        'LLM stream stalled: no token from the provider',
      );
      inner.close();
    }, CHECK_MS);
    try {
      for await (const chunk of inner) {
        if (stalled) break;
        last = Date.now();
        chunks++;
        if (!this.queue.closed) this.queue.put(chunk);
      }
    } finally {
      clearInterval(check);
      this.abortController.signal.removeEventListener('abort', stop);
      inner.close();
    }
    if (stalled && !this.abortController.signal.aborted) {
      throw new APIConnectionError({
        message: `${this.#owner.label()} sent no token for ${this.#owner.stallMs / 1000} s`,
        options: { retryable: false },
      });
    }
  }
}
