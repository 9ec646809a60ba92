/**
 * The caller audio an STT has not answered with a final transcript yet,
 * kept so that whoever listens next (a reconnected stream, or the fallback
 * STT) can hear it: a sentence said into a dead connection is not lost.
 * Silence before the first word is cut to a short lead-in and pauses are
 * cut short, so a caller who waited for an answer before speaking again
 * does not push their first sentence out.
 */
import type { AudioFrame } from '@livekit/rtc-node';

/**
 * The most audio kept, in seconds: about two sentences and a reply to a
 * silence prompt. At the room input's 24 kHz that is 720 KB per call at
 * worst, held only while the provider owes an answer.
 */
export const UNANSWERED_MAX_S = 15;

/**
 * The longest pause kept between two stretches of speech, in seconds: more
 * than the 0.5 s the offline recognizer needs to end an utterance.
 */
export const KEPT_PAUSE_S = 1;

/**
 * Silence kept before the first word, in seconds: a soft onset below the
 * speech threshold, and the quiet a recognizer expects before speech.
 */
export const LEAD_IN_S = 0.3;

/**
 * Audio that was said before and is being heard again (a replay), so not
 * new speech: a watchdog does not count it toward a deaf provider.
 */
export const replayedFrames = new WeakSet<AudioFrame>();

/** An STT that keeps what its failed stream left unanswered for the STT that takes over. */
export type LeavesUnanswered = Readonly<{ takeUnanswered: () => AudioFrame[] }>;

/**
 * @example
 * if (leavesUnanswered(ev.stt)) replay(ev.stt.takeUnanswered());
 */
export function leavesUnanswered(stt: unknown): stt is LeavesUnanswered {
  return (
    typeof stt === 'object' &&
    stt !== null &&
    typeof (stt as { takeUnanswered?: unknown }).takeUnanswered === 'function'
  );
}

/**
 * What a failed stream left unanswered, held by its STT until the STT that
 * takes over asks for it (once).
 *
 * @example
 * readonly #left = new LeftUnanswered();
 * takeUnanswered() { return this.#left.take(); }
 */
export class LeftUnanswered {
  #frames: AudioFrame[] = [];

  /** The frames left, oldest first; empty afterwards. */
  take(): AudioFrame[] {
    return this.#frames.splice(0);
  }

  /** A failing stream leaves these (replacing what an earlier one left). */
  leave(frames: readonly AudioFrame[]): void {
    this.#frames = [...frames];
  }

  clear(): void {
    this.#frames = [];
  }
}

const seconds = (frame: AudioFrame) => frame.samplesPerChannel / frame.sampleRate;
/** Sums of frame durations are not exact: 100 frames of 0.01 s exceed 1 s by 1e-15. */
const EPSILON_S = 1e-6;

/**
 * @example
 * const pending = new UnansweredAudio();
 * pending.push(frame, voicedSeconds(frame) > 0); // each frame sent to the provider
 * pending.clear(); // on a final transcript
 * for (const f of pending.frames) nextStream.pushFrame(f); // after a failure
 */
export class UnansweredAudio {
  readonly maxSeconds: number;
  readonly #frames: AudioFrame[] = [];
  #seconds = 0;
  #pause = 0;
  #spoken = false;

  constructor(maxSeconds = UNANSWERED_MAX_S) {
    this.maxSeconds = maxSeconds;
  }

  /** The audio kept, oldest first: nothing until the caller has spoken. */
  get frames(): readonly AudioFrame[] {
    return this.#spoken ? this.#frames : [];
  }

  /** Seconds of audio kept. */
  get seconds(): number {
    return this.#spoken ? this.#seconds : 0;
  }

  /** Keeps `frame` (a reference, not a copy) unless it is silence not worth keeping. */
  push(frame: AudioFrame, voiced: boolean): void {
    if (voiced) {
      this.#spoken = true;
      this.#pause = 0;
    } else if (this.#spoken) {
      this.#pause += seconds(frame);
      if (this.#pause > KEPT_PAUSE_S + EPSILON_S) return;
    }
    this.#frames.push(frame);
    this.#seconds += seconds(frame);
    const limit = this.#spoken ? this.maxSeconds : LEAD_IN_S;
    while (this.#seconds > limit + EPSILON_S) {
      const oldest = this.#frames.shift();
      if (!oldest) break;
      this.#seconds -= seconds(oldest);
    }
  }

  /** The provider answered: nothing is owed any more. */
  clear(): void {
    this.#frames.length = 0;
    this.#seconds = 0;
    this.#pause = 0;
    this.#spoken = false;
  }
}
