/**
 * One FAKE Deepgram `/v1/listen` streaming connection: linear16 audio in,
 * Deepgram's JSON messages out (SpeechStarted, Results with interim and
 * final transcripts, Metadata), answering KeepAlive, Finalize and
 * CloseStream as the real service does. The k-th utterance the
 * segmenter finds gets the k-th script segment.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { LatencyProfile } from './latency.ts';
import { scriptWords, type ScriptWord } from './script.ts';
import { SpeechSegmenter, type SegmenterOptions } from './speech-segmenter.ts';
import type { FakeWebSocket } from './websocket.ts';

/** The `/v1/listen` query the plugins send, as far as the fake uses it. */
export type ListenQuery = Readonly<{
  sampleRate: number;
  channels: number;
  interimResults: boolean;
  vadEvents: boolean;
  model: string;
}>;

/** Word pace assumed to reveal interim words while a caller speaks. */
const MS_PER_WORD = 300;
/**
 * Audio that stops coming mid-utterance ends it after this: the Node plugin
 * stops sending a second into silence, and a client may stop at any time.
 */
const IDLE_END_MS = 600;

const controlMessage = z.object({ type: z.string() }).loose();

export type SessionHooks = Readonly<{
  /** The segment for the connection's n-th utterance (0-based). */
  segment: (index: number) => string;
  /** Each final transcript, once sent. */
  onFinal: (text: string) => void;
  onInterim: () => void;
  onUtterance: () => void;
  onControl: (type: string) => void;
  /** Once, when the connection ends, with the audio it carried. */
  onClose: (audioSeconds: number) => void;
  /** True while the provider is stalled: audio is taken, nothing is answered. */
  muted?: () => boolean;
  log: (line: string) => void;
}>;

type Window = Readonly<{ start: number; end: number }>;

/**
 * @example
 * const session = new DeepgramSession(ws, query, profile, {}, hooks);
 */
export class DeepgramSession {
  readonly requestId = randomUUID();
  readonly #ws: FakeWebSocket;
  readonly #query: ListenQuery;
  readonly #profile: LatencyProfile;
  readonly #hooks: SessionHooks;
  readonly #ears: SpeechSegmenter;
  #utterances = 0;
  #current: { index: number; words: readonly ScriptWord[]; nextInterim: number } | undefined;
  #pendingFinals = new Map<ReturnType<typeof setTimeout>, () => void>();
  #idle: ReturnType<typeof setTimeout> | undefined;
  #oddByte: Buffer | undefined;
  #closed = false;

  constructor(
    ws: FakeWebSocket,
    query: ListenQuery,
    profile: LatencyProfile,
    segmenter: Omit<SegmenterOptions, 'sampleRate'>,
    hooks: SessionHooks,
  ) {
    this.#ws = ws;
    this.#query = query;
    this.#profile = profile;
    this.#hooks = hooks;
    this.#ears = new SpeechSegmenter({ ...segmenter, sampleRate: query.sampleRate });
    ws.on({
      binary: (data) => this.#audio(data),
      text: (text) => this.#control(text),
      close: () => {
        this.#shutdown();
        hooks.onClose(this.audioSeconds);
      },
    });
  }

  /** Audio seconds received. */
  get audioSeconds(): number {
    return this.#ears.audioSeconds;
  }

  /** Sends a result or event, unless the provider is stalled. */
  #answer(value: unknown): void {
    if (!this.#hooks.muted?.()) this.#ws.sendJson(value);
  }

  /** Closes the connection as a failing provider does (1011), dropping what is pending. */
  fail(reason: string): void {
    this.#shutdown();
    this.#ws.close(1011, reason);
  }

  #audio(data: Buffer): void {
    if (this.#closed) return;
    const bytes = this.#oddByte ? Buffer.concat([this.#oddByte, data]) : data;
    const even = bytes.length - (bytes.length % 2);
    this.#oddByte = even < bytes.length ? Buffer.from(bytes.subarray(even)) : undefined;
    const all = new Int16Array(even / 2);
    for (let i = 0; i < all.length; i++) all[i] = bytes.readInt16LE(i * 2);
    const mono = this.#query.channels > 1 ? firstChannel(all, this.#query.channels) : all;
    for (const ev of this.#ears.push(mono)) {
      if (ev.type === 'start') this.#startUtterance(ev.at);
      else if (ev.type === 'speaking') this.#interim({ start: ev.since, end: ev.until });
      else this.#endUtterance({ start: ev.start, end: ev.end }, false);
    }
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = this.#ears.inSpeech
      ? setTimeout(() => this.#finish(false), IDLE_END_MS)
      : undefined;
  }

  #control(text: string): void {
    let type: string;
    try {
      type = controlMessage.parse(JSON.parse(text)).type;
    } catch {
      this.#hooks.log(`FAKE Deepgram: ignoring a text message that is not a control message`);
      return;
    }
    this.#hooks.onControl(type);
    if (type === 'KeepAlive') return;
    if (type === 'Finalize') {
      if (!this.#finish(true)) {
        const now = { start: this.audioSeconds, end: this.audioSeconds };
        this.#sendResults([], now, 'finalize');
      }
      return;
    }
    if (type === 'CloseStream') {
      this.#finish(true);
      this.#flushPendingFinals();
      this.#ws.sendJson(this.#metadata());
      this.#shutdown();
      this.#ws.close(1000);
      return;
    }
    this.#hooks.log(`FAKE Deepgram: unknown control message type ${type}`);
  }

  #startUtterance(at: number): void {
    const index = this.#utterances++;
    this.#current = {
      index,
      words: scriptWords(this.#hooks.segment(index)),
      nextInterim: at + this.#profile.sttInterimEveryMs / 1000,
    };
    this.#hooks.onUtterance();
    if (this.#query.vadEvents)
      this.#answer({ type: 'SpeechStarted', channel: [0], timestamp: round(at) });
  }

  #interim(window: Window): void {
    const u = this.#current;
    if (!u || !this.#query.interimResults || window.end < u.nextInterim) return;
    u.nextInterim = window.end + this.#profile.sttInterimEveryMs / 1000;
    const heard = Math.floor(((window.end - window.start) * 1000) / MS_PER_WORD);
    const shown = Math.max(1, Math.min(u.words.length - 1, heard));
    if (u.words.length <= 1) return;
    this.#sendResults(u.words.slice(0, shown), window, 'interim');
    this.#hooks.onInterim();
  }

  /** Ends the utterance under way, if any; true when there was one. */
  #finish(byFinalize: boolean): boolean {
    const ev = this.#ears.finish();
    if (!ev || ev.type !== 'end') return false;
    this.#endUtterance({ start: ev.start, end: ev.end }, byFinalize);
    return true;
  }

  #endUtterance(window: Window, byFinalize: boolean): void {
    const u = this.#current;
    this.#current = undefined;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    if (!u) return;
    const send = () => {
      if (this.#closed) return;
      this.#sendResults(u.words, window, byFinalize ? 'finalize' : 'final');
      this.#hooks.onFinal(u.words.map((w) => w.punctuated).join(' '));
    };
    // A Finalize asks for what was heard now; silence is waited for, then the profile's delay.
    if (byFinalize || this.#profile.sttFinalMs <= 0) return send();
    const timer = setTimeout(() => {
      this.#pendingFinals.delete(timer);
      send();
    }, this.#profile.sttFinalMs);
    this.#pendingFinals.set(timer, send);
  }

  #flushPendingFinals(): void {
    for (const [timer, send] of this.#pendingFinals) {
      clearTimeout(timer);
      send();
    }
    this.#pendingFinals.clear();
  }

  #sendResults(
    words: readonly ScriptWord[],
    window: Window,
    kind: 'interim' | 'final' | 'finalize',
  ): void {
    const list = words;
    const span = Math.max(window.end - window.start, 0);
    const step = list.length > 0 ? span / list.length : 0;
    const final = kind !== 'interim';
    this.#answer({
      type: 'Results',
      channel_index: [0, 1],
      duration: round(span),
      start: round(window.start),
      is_final: final,
      // Endpointing: silence (or a Finalize) ended the caller's speech.
      speech_final: final && list.length > 0,
      from_finalize: kind === 'finalize',
      channel: {
        alternatives: [
          {
            transcript: list.map((w) => w.punctuated).join(' '),
            confidence: list.length > 0 ? 0.99 : 0,
            words: list.map((w, i) => ({
              word: w.word,
              start: round(window.start + i * step),
              end: round(window.start + (i + 1) * step),
              confidence: 0.99,
              punctuated_word: w.punctuated,
            })),
          },
        ],
      },
      metadata: {
        request_id: this.requestId,
        model_info: { name: 'FAKE-nova', version: 'fake', arch: this.#query.model },
        model_uuid: '00000000-0000-0000-0000-00000000fa4e',
      },
    });
  }

  #metadata(): Record<string, unknown> {
    return {
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: this.requestId,
      sha256: '',
      created: new Date().toISOString(),
      duration: round(this.audioSeconds),
      channels: this.#query.channels,
      models: ['00000000-0000-0000-0000-00000000fa4e'],
      model_info: {
        '00000000-0000-0000-0000-00000000fa4e': {
          name: 'FAKE-nova',
          version: 'fake',
          arch: this.#query.model,
        },
      },
    };
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idle) clearTimeout(this.#idle);
    for (const timer of this.#pendingFinals.keys()) clearTimeout(timer);
    this.#pendingFinals.clear();
  }
}

function firstChannel(interleaved: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(Math.floor(interleaved.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = interleaved[i * channels] ?? 0;
  return out;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
