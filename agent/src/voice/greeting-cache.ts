/**
 * The greeting is synthesized once per (persona, voice, text) and replayed
 * on later calls: the caller hears the first words without waiting for a TTS
 * round trip, and a cloud TTS bills the greeting once.
 *
 * Two levels: an LRU in process memory bounded by a byte budget, and an
 * optional {@link GreetingStore} shared by the worker's job processes (each
 * call runs in a fresh process). A miss streams the synthesis to the caller
 * as it arrives and keeps the frames once it completes; concurrent requests
 * for the same greeting share one synthesis. Greetings that depend on the
 * call (a name) are keyed by their text like any other.
 */
import { ReadableStream } from 'node:stream/web';
import { log, type tts, type voice } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import type { GreetingStore } from './greeting-cache-store.ts';
import { copy, Recording, synthesize } from './greeting-cache-synthesis.ts';

export { GREETING_CONN_OPTIONS, GreetingSynthesisError } from './greeting-cache-synthesis.ts';

/** What speaks a greeting. */
export type GreetingVoice = Readonly<{
  /** The engine whose audio is cached (never a FallbackAdapter: its output's voice varies). */
  engine: tts.TTS;
  /** Everything that changes the audio besides the text: provider, model, voice, format. */
  voice: string;
  /** Speaks, uncached, when `engine` fails before its first frame. */
  fallback?: tts.TTS;
}>;

export type GreetingRequest = Readonly<{
  persona: string;
  text: string;
  speaker: GreetingVoice;
  /**
   * Whether the shared store may keep the audio (default true). False for a
   * greeting carrying caller data (a name) where that must not reach disk;
   * it is still kept in process memory.
   */
  persist?: boolean;
}>;

export type GreetingCacheOptions = Readonly<{
  /** Memory the cached frames may take in this process. */
  maxBytes: number;
  store?: GreetingStore;
}>;

export type GreetingCacheStats = Readonly<{
  entries: number;
  bytes: number;
  /** Requests served from process memory. */
  hits: number;
  /** Requests served from the shared store. */
  storeHits: number;
  /** Syntheses started by this cache. */
  syntheses: number;
}>;

type Entry = Readonly<{ frames: readonly AudioFrame[]; bytes: number }>;

/**
 * @example
 * const greetings = new GreetingCache({ maxBytes: 8 * 1024 * 1024 });
 * greetings.say(session, { persona: persona.name, text: persona.greeting(call), speaker: v.greeting }, { allowInterruptions: false });
 */
export class GreetingCache {
  readonly maxBytes: number;
  readonly #store: GreetingStore | undefined;
  /** Insertion order is recency order: the first key is evicted first. */
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Recording>();
  #bytes = 0;
  #hits = 0;
  #storeHits = 0;
  #syntheses = 0;

  constructor(options: GreetingCacheOptions) {
    this.maxBytes = options.maxBytes;
    this.#store = options.store;
  }

  get stats(): GreetingCacheStats {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      hits: this.#hits,
      storeHits: this.#storeHits,
      syntheses: this.#syntheses,
    };
  }

  /**
   * Speaks the greeting through the session: the text goes to the transcript
   * and chat history, the audio comes from the cache.
   */
  say(
    session: Pick<voice.AgentSession, 'say'>,
    request: GreetingRequest,
    options: Readonly<{ allowInterruptions?: boolean }> = {},
  ): voice.SpeechHandle {
    return session.say(request.text, { ...options, audio: this.audio(request) });
  }

  /**
   * The greeting's audio as a stream of frames (each a private copy), from
   * the cache or, on a miss, as the synthesis produces it.
   */
  audio(request: GreetingRequest): ReadableStream<AudioFrame> {
    const frames = this.#frames(request)[Symbol.asyncIterator]();
    return new ReadableStream<AudioFrame>({
      async pull(controller) {
        const next = await frames.next();
        if (next.done) controller.close();
        else controller.enqueue(copy(next.value));
      },
      async cancel() {
        // The synthesis continues: the next call still gets a complete entry.
        await frames.return?.(undefined);
      },
    });
  }

  /** All the greeting's frames once available (cached or freshly synthesized). */
  async frames(request: GreetingRequest): Promise<readonly AudioFrame[]> {
    const out: AudioFrame[] = [];
    for await (const frame of this.#frames(request)) out.push(copy(frame));
    return out;
  }

  async *#frames(request: GreetingRequest): AsyncGenerator<AudioFrame> {
    const key = JSON.stringify([request.persona, request.speaker.voice, request.text]);
    const entry = this.#entries.get(key);
    if (entry) {
      this.#hits += 1;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      yield* entry.frames;
      return;
    }
    const recording = this.#pending.get(key) ?? this.#record(key, request);
    let yielded = false;
    try {
      for await (const frame of recording.read()) {
        yielded = true;
        yield frame;
      }
    } catch (error) {
      const fallback = request.speaker.fallback;
      if (yielded || !fallback) throw error;
      log().warn(
        { error, voice: request.speaker.voice, persona: request.persona },
        'greeting synthesis failed; speaking it with the fallback voice',
      );
      yield* synthesize(fallback, request.text);
    }
  }

  /** Starts filling a recording for `key`, from the store or the engine. */
  #record(key: string, request: GreetingRequest): Recording {
    const recording = new Recording();
    this.#pending.set(key, recording);
    const run = async () => {
      const stored = await this.#store?.load(key);
      if (stored) {
        this.#storeHits += 1;
        for (const frame of stored) recording.push(frame);
      } else {
        this.#syntheses += 1;
        for await (const frame of synthesize(request.speaker.engine, request.text))
          recording.push(frame);
      }
      this.#remember(key, recording.frames);
      this.#pending.delete(key);
      recording.finish();
      if (!stored && request.persist !== false) await this.#store?.save(key, recording.frames);
    };
    run().catch((error: unknown) => {
      this.#pending.delete(key);
      recording.fail(error);
    });
    return recording;
  }

  #remember(key: string, frames: readonly AudioFrame[]): void {
    const bytes = frames.reduce((n, f) => n + f.data.byteLength, 0);
    if (frames.length === 0 || bytes > this.maxBytes) return;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes + bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
    this.#entries.set(key, { frames, bytes });
    this.#bytes += bytes;
  }
}
