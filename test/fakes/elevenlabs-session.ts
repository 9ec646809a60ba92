/**
 * One FAKE ElevenLabs text-to-speech WebSocket: `multi-stream-input`
 * (contexts, what both LiveKit plugins use) or the older single-stream
 * `stream-input`. Text is buffered per context and committed for synthesis
 * on `flush`, in auto mode, past the chunk-length threshold, or when the
 * context (or, single-stream, the input) closes; the audio of each context
 * is sent in order, then `isFinal` once a closed context has nothing left.
 * A text the `stalls` predicate picks is cut off as a hung provider does:
 * the audio of its first words, then nothing, and no `isFinal`.
 */
import { z } from 'zod';
import type { LatencyProfile } from './latency.ts';
import { paceSpeech, type SpeechChunk } from './speech-pacing.ts';
import type { SpeechSource } from './speech-source.ts';
import type { FakeWebSocket } from './websocket.ts';

/** How much of a stalled text is spoken before the audio stops: a few hundred ms. */
const STALLED_AFTER_CHARS = 8;

/** ElevenLabs' first `chunk_length_schedule` value: generation starts once this much text waits. */
const DEFAULT_CHUNK_CHARS = 120;

const inbound = z
  .object({
    text: z.string().optional(),
    context_id: z.string().optional(),
    flush: z.boolean().optional(),
    close_context: z.boolean().optional(),
    close_socket: z.boolean().optional(),
    generation_config: z
      .object({ chunk_length_schedule: z.array(z.number()).optional() })
      .loose()
      .optional(),
  })
  .loose();

export type TtsSessionOptions = Readonly<{
  multiContext: boolean;
  /** The clip in the connection's output format. */
  source: SpeechSource;
  /** `auto_mode=true`: every text message is synthesized at once. */
  autoMode: boolean;
  profile: LatencyProfile;
  onContext: () => void;
  onText: (chars: number) => void;
  /** Each chunk of audio sent, in ms. */
  onAudio: (ms: number) => void;
  /** True for a text whose synthesis stalls mid-sentence. */
  stalls?: (text: string) => boolean;
  log: (line: string) => void;
}>;

type Context = {
  id: string;
  buffer: string;
  queue: { text: string; committedAt: number }[];
  running: boolean;
  closing: boolean;
  /** Audio already sent for this context, for cumulative alignment times. */
  offsetMs: number;
  chunkChars: number;
};

/**
 * @example
 * new ElevenLabsSession(ws, { multiContext: true, source: speechSource(format), autoMode: true, profile, ... });
 */
export class ElevenLabsSession {
  readonly #ws: FakeWebSocket;
  readonly #o: TtsSessionOptions;
  readonly #contexts = new Map<string, Context>();
  readonly #abort = new AbortController();
  #closeSocketWhenIdle = false;

  constructor(ws: FakeWebSocket, opts: TtsSessionOptions) {
    this.#ws = ws;
    this.#o = opts;
    ws.on({
      text: (t) => this.#message(t),
      binary: () => opts.log('FAKE ElevenLabs: ignoring a binary message'),
      close: () => this.#abort.abort(new Error('FAKE ElevenLabs: socket closed')),
    });
  }

  #message(raw: string): void {
    let msg: z.infer<typeof inbound>;
    try {
      msg = inbound.parse(JSON.parse(raw));
    } catch {
      this.#ws.sendJson({ error: 'FAKE ElevenLabs: message is not valid JSON input', code: 1008 });
      return;
    }
    if (msg.close_socket) {
      this.#closeSocketWhenIdle = true;
      for (const ctx of this.#contexts.values()) this.#close(ctx);
      this.#closeIfIdle();
      return;
    }
    const id = this.#o.multiContext ? (msg.context_id ?? 'default') : 'single';
    let ctx = this.#contexts.get(id);
    if (msg.close_context) {
      if (ctx) this.#close(ctx);
      else if (this.#o.multiContext) this.#ws.sendJson({ contextId: id, isFinal: true });
      return;
    }
    if (!ctx) {
      ctx = {
        id,
        buffer: '',
        queue: [],
        running: false,
        closing: false,
        offsetMs: 0,
        chunkChars: msg.generation_config?.chunk_length_schedule?.[0] ?? DEFAULT_CHUNK_CHARS,
      };
      this.#contexts.set(id, ctx);
      this.#o.onContext();
    }
    const text = msg.text ?? '';
    // Single-stream: an empty text ends the input.
    if (!this.#o.multiContext && msg.text === '') return this.#close(ctx);
    // A lone space opens a context (or keeps it alive); it is not speech.
    if (text.trim() !== '') {
      ctx.buffer += text;
      this.#o.onText(text.trim().length);
    }
    if (msg.flush || this.#o.autoMode || ctx.buffer.length >= ctx.chunkChars) this.#commit(ctx);
  }

  #commit(ctx: Context): void {
    const text = ctx.buffer.trim();
    ctx.buffer = '';
    if (text === '') return;
    ctx.queue.push({ text, committedAt: Date.now() });
    void this.#run(ctx);
  }

  #close(ctx: Context): void {
    this.#commit(ctx);
    ctx.closing = true;
    this.#finishIfDone(ctx);
  }

  async #run(ctx: Context): Promise<void> {
    if (ctx.running) return;
    ctx.running = true;
    try {
      for (let job = ctx.queue.shift(); job; job = ctx.queue.shift()) {
        const stalls = this.#o.stalls?.(job.text) === true;
        if (stalls) this.#o.log(`FAKE ElevenLabs: stalling mid-sentence: "${job.text}"`);
        const ms = await paceSpeech({
          text: stalls ? job.text.slice(0, STALLED_AFTER_CHARS) : job.text,
          source: this.#o.source,
          profile: this.#o.profile,
          committedAt: job.committedAt,
          signal: this.#abort.signal,
          send: (chunk) => this.#sendChunk(ctx, chunk),
        });
        ctx.offsetMs += ms;
        if (stalls) await untilAborted(this.#abort.signal);
      }
    } catch {
      return; // the socket closed
    } finally {
      ctx.running = false;
    }
    this.#finishIfDone(ctx);
  }

  #sendChunk(ctx: Context, chunk: SpeechChunk): void {
    this.#o.onAudio(chunk.ms);
    const alignment = {
      chars: chunk.chars,
      charStartTimesMs: chunk.charStartMs.map((ms) => ms + Math.round(ctx.offsetMs)),
      charDurationsMs: chunk.charDurationMs,
    };
    this.#ws.sendJson({
      audio: chunk.audio.toString('base64'),
      isFinal: null,
      normalizedAlignment: alignment,
      alignment,
      ...(this.#o.multiContext ? { contextId: ctx.id } : {}),
    });
  }

  #finishIfDone(ctx: Context): void {
    if (!ctx.closing || ctx.running || ctx.queue.length > 0) return;
    this.#contexts.delete(ctx.id);
    if (this.#o.multiContext) this.#ws.sendJson({ contextId: ctx.id, isFinal: true });
    else {
      this.#ws.sendJson({ isFinal: true });
      this.#ws.close(1000);
    }
    this.#closeIfIdle();
  }

  #closeIfIdle(): void {
    if (this.#closeSocketWhenIdle && this.#contexts.size === 0) this.#ws.close(1000);
  }
}

/** A promise that rejects when `signal` aborts, and never settles otherwise. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
