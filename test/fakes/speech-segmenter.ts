/**
 * The FAKE Deepgram's ears: a frame-energy voice activity detector with
 * hangover. It cannot tell words apart; it only finds where a caller speaks
 * and where they stop, on 16-bit PCM at any rate (phone audio arrives
 * upsampled from 8 kHz G.711, so only the band below 4 kHz carries energy,
 * which an RMS measure does not mind).
 */

export type SegmenterOptions = Readonly<{
  /** Input rate in Hz. */
  sampleRate: number;
  /** RMS (16-bit scale) above which a 20 ms frame is speech. */
  speechRms?: number;
  /** Speech needed before an utterance starts (keeps clicks out). */
  onsetMs?: number;
  /**
   * Silence that ends an utterance. Longer than the gaps between a flite
   * voice's words and at its commas and full stops (up to ~350 ms through
   * G.711), shorter than a caller's deliberate mid-sentence pause.
   */
  hangoverMs?: number;
}>;

export const SEGMENTER_DEFAULTS = Object.freeze({
  speechRms: 300,
  onsetMs: 60,
  hangoverMs: 450,
});

/** What one push of audio revealed, in audio time (seconds since the stream's first sample). */
export type SegmenterEvent =
  | Readonly<{ type: 'start'; at: number }>
  | Readonly<{ type: 'speaking'; since: number; until: number }>
  | Readonly<{ type: 'end'; start: number; end: number }>;

const FRAME_SECONDS = 0.02;

/**
 * @example
 * const ears = new SpeechSegmenter({ sampleRate: 8000 });
 * for (const ev of ears.push(samples)) if (ev.type === 'end') console.log(ev.start, ev.end);
 */
export class SpeechSegmenter {
  readonly #frame: number;
  readonly #rms: number;
  readonly #onsetFrames: number;
  readonly #hangoverFrames: number;
  #pending: Int16Array = new Int16Array(0);
  #frames = 0;
  /** Consecutive speech frames before the utterance is confirmed. */
  #voicedRun = 0;
  #silentRun = 0;
  #start: number | undefined;
  #lastVoicedEnd = 0;

  constructor(opts: SegmenterOptions) {
    this.#frame = Math.max(1, Math.round(opts.sampleRate * FRAME_SECONDS));
    this.#rms = opts.speechRms ?? SEGMENTER_DEFAULTS.speechRms;
    this.#onsetFrames = Math.max(1, Math.round((opts.onsetMs ?? SEGMENTER_DEFAULTS.onsetMs) / 20));
    this.#hangoverFrames = Math.max(
      1,
      Math.round((opts.hangoverMs ?? SEGMENTER_DEFAULTS.hangoverMs) / 20),
    );
  }

  /** Audio time received so far, in seconds. */
  get audioSeconds(): number {
    return this.#frames * FRAME_SECONDS;
  }

  /** Whether an utterance is under way. */
  get inSpeech(): boolean {
    return this.#start !== undefined;
  }

  push(samples: Int16Array): SegmenterEvent[] {
    const all = this.#pending.length === 0 ? samples : concat(this.#pending, samples);
    const events: SegmenterEvent[] = [];
    let i = 0;
    for (; i + this.#frame <= all.length; i += this.#frame) {
      this.#onFrame(rms(all, i, this.#frame) >= this.#rms, events);
    }
    this.#pending = all.slice(i);
    if (this.#start !== undefined && events.every((e) => e.type !== 'end'))
      events.push({ type: 'speaking', since: this.#start, until: this.#lastVoicedEnd });
    return events;
  }

  /** Ends the utterance under way now (a flush, the stream closing, or audio that stopped coming). */
  finish(): SegmenterEvent | undefined {
    if (this.#start === undefined) return undefined;
    const ev: SegmenterEvent = { type: 'end', start: this.#start, end: this.#lastVoicedEnd };
    this.#reset();
    return ev;
  }

  #onFrame(voiced: boolean, events: SegmenterEvent[]): void {
    this.#frames++;
    const frameEnd = this.#frames * FRAME_SECONDS;
    if (voiced) {
      this.#voicedRun++;
      this.#silentRun = 0;
      if (this.#start === undefined && this.#voicedRun >= this.#onsetFrames) {
        this.#start = frameEnd - this.#voicedRun * FRAME_SECONDS;
        events.push({ type: 'start', at: this.#start });
      }
      if (this.#start !== undefined) this.#lastVoicedEnd = frameEnd;
      return;
    }
    this.#voicedRun = 0;
    if (this.#start === undefined) return;
    this.#silentRun++;
    if (this.#silentRun >= this.#hangoverFrames) {
      events.push({ type: 'end', start: this.#start, end: this.#lastVoicedEnd });
      this.#reset();
    }
  }

  #reset(): void {
    this.#start = undefined;
    this.#silentRun = 0;
    this.#voicedRun = 0;
  }
}

function rms(samples: Int16Array, from: number, length: number): number {
  let sum = 0;
  for (let i = from; i < from + length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / length);
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
