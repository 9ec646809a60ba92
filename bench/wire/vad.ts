/**
 * Voice activity of one RTP stream: frame energy against a fixed threshold
 * with a hangover, as talk-spurts. livekit-sip's mixer sends a frame every
 * 20 ms whether anyone speaks or not (digital silence when nobody does), so
 * silence is audio that arrives quiet; a stall in the stream (no packets) is
 * not silence and does not end a spurt: it is an audio gap (see gaps.ts).
 */

/** One received frame of audio, by its arrival time. */
export type AudioFrame = Readonly<{ timeMs: number; durationMs: number; rms: number }>;

/** A stretch of speech: from the first voiced frame's arrival to the end of the last one's audio. */
export type TalkSpurt = Readonly<{ startMs: number; endMs: number; voicedMs: number }>;

export type VadOptions = Readonly<{
  /**
   * RMS (16-bit linear) at or above which a frame is speech. Digital silence is 0 and
   * synthesized speech runs in the thousands: 300 (about -40 dBFS) is well clear of both.
   */
  voicedRms?: number;
  /** Quiet audio after the last voiced frame that ends the spurt. */
  hangoverMs?: number;
  /** Spurts with less voiced audio than this are clicks, not speech. */
  minVoicedMs?: number;
}>;

export const DEFAULT_VAD: Required<VadOptions> = Object.freeze({
  voicedRms: 300,
  hangoverMs: 200,
  minVoicedMs: 40,
});

/**
 * Talk-spurts of a stream of frames (in arrival order). Onsets are exact to a frame (20 ms).
 *
 * @example
 * const spurts = talkSpurts(frames); // [{ startMs, endMs, voicedMs }, ...]
 */
export function talkSpurts(frames: readonly AudioFrame[], opts: VadOptions = {}): TalkSpurt[] {
  const { voicedRms, hangoverMs, minVoicedMs } = { ...DEFAULT_VAD, ...opts };
  const spurts: TalkSpurt[] = [];
  let current: { startMs: number; endMs: number; voicedMs: number } | undefined;
  let quietMs = 0;
  const close = (): void => {
    if (current && current.voicedMs >= minVoicedMs) spurts.push({ ...current });
    current = undefined;
  };
  for (const f of frames) {
    if (f.rms >= voicedRms) {
      if (!current) current = { startMs: f.timeMs, endMs: f.timeMs, voicedMs: 0 };
      current.endMs = f.timeMs + f.durationMs;
      current.voicedMs += f.durationMs;
      quietMs = 0;
    } else if (current) {
      quietMs += f.durationMs;
      if (quietMs > hangoverMs) close();
    }
  }
  close();
  return spurts;
}

/**
 * The spurt in progress at `timeMs` (start inclusive, end exclusive), if any.
 *
 * @example
 * speakingAt(agentSpurts, pause.startMs) === undefined; // the agent was silent
 */
export function speakingAt(spurts: readonly TalkSpurt[], timeMs: number): TalkSpurt | undefined {
  return spurts.find((s) => s.startMs <= timeMs && timeMs < s.endMs);
}

/**
 * The first spurt starting strictly inside (afterMs, beforeMs).
 *
 * @example
 * firstOnset(agentSpurts, utteranceEndMs, nextUtteranceStartMs);
 */
export function firstOnset(
  spurts: readonly TalkSpurt[],
  afterMs: number,
  beforeMs: number,
): TalkSpurt | undefined {
  return spurts.find((s) => s.startMs > afterMs && s.startMs < beforeMs);
}
