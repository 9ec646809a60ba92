/**
 * What the caller hears of the agent, reduced to whether it is talking: a
 * frame-energy voice-activity detector over the decoded PCMU the bridge
 * sends. Talk spurts start on a few consecutive voiced frames after a gap;
 * "has the agent finished?" is a question of how long it has been silent,
 * asked by the caller with the hangover it needs (800 ms for end of turn).
 * Pure: frames come in with their arrival time.
 */

export type SpeechDetectorOptions = Readonly<{
  /** Frame RMS (16-bit linear) above which a frame is voiced; well above line silence. Default 300. */
  voicedRms?: number;
  /** Consecutive voiced frames that make an onset (clicks are one frame). Default 2. */
  onsetFrames?: number;
  /** Silence that separates two talk spurts: a voiced frame after it is a new onset. Default 250 ms. */
  spurtGapMs?: number;
}>;

export class SpeechDetector {
  readonly #voicedRms: number;
  readonly #onsetFrames: number;
  readonly #spurtGapMs: number;
  #run = 0;
  #runStartMs = 0;
  #lastVoicedMs: number | undefined;
  #inSpurt = false;
  readonly #onsets: number[] = [];

  /**
   * @example
   * const agent = new SpeechDetector({ voicedRms: 300 });
   * agent.frame(Date.now(), mulawFrameRms(payload));
   * if (agent.heardSince(utteranceEnd) && agent.silentFor(Date.now()) >= 800) { ... }
   */
  constructor(opts: SpeechDetectorOptions = {}) {
    this.#voicedRms = opts.voicedRms ?? 300;
    this.#onsetFrames = opts.onsetFrames ?? 2;
    this.#spurtGapMs = opts.spurtGapMs ?? 250;
  }

  /** Feeds one 20 ms frame's energy, received at `atMs`. */
  frame(atMs: number, rms: number): void {
    if (rms < this.#voicedRms) {
      this.#run = 0;
      return;
    }
    if (this.#run === 0) this.#runStartMs = atMs;
    this.#run++;
    const gapOver =
      this.#lastVoicedMs === undefined || this.#runStartMs - this.#lastVoicedMs > this.#spurtGapMs;
    if (gapOver) this.#inSpurt = false;
    if (this.#inSpurt) {
      this.#lastVoicedMs = atMs;
    } else if (this.#run >= this.#onsetFrames) {
      this.#inSpurt = true;
      this.#onsets.push(this.#runStartMs);
      this.#lastVoicedMs = atMs;
    }
  }

  /** Arrival time of the last voiced frame of a talk spurt, if any yet. */
  get lastVoicedMs(): number | undefined {
    return this.#lastVoicedMs;
  }

  /** Onset times of every talk spurt so far, oldest first. */
  get onsets(): readonly number[] {
    return this.#onsets;
  }

  /** Milliseconds since the last voiced frame (Infinity before any speech). */
  silentFor(nowMs: number): number {
    return this.#lastVoicedMs === undefined ? Infinity : nowMs - this.#lastVoicedMs;
  }

  /** True while voiced frames keep coming within `hangoverMs`. */
  speaking(nowMs: number, hangoverMs: number): boolean {
    return this.silentFor(nowMs) < hangoverMs;
  }

  /** First talk-spurt onset at or after `sinceMs`. */
  onsetSince(sinceMs: number): number | undefined {
    return this.#onsets.find((t) => t >= sinceMs);
  }

  /** True when the agent said anything at or after `sinceMs` (a new onset, or a spurt going on). */
  heardSince(sinceMs: number): boolean {
    return this.#lastVoicedMs !== undefined && this.#lastVoicedMs >= sinceMs;
  }
}
