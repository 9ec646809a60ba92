/**
 * The caller's speech on the wire. The CallerLog says which audio is one
 * utterance and where the mid-sentence pauses are; the capture says when the
 * voiced audio really went out. Each logged part is matched to the voiced
 * frames of the caller's stream around it, and the wire times win.
 */
import type { CallerUtterance } from '../load/artifacts.ts';
import { DEFAULT_VAD, type AudioFrame } from './vad.ts';

export type WirePart = Readonly<{
  startMs: number;
  endMs: number;
  /** False when no voiced frame was found on the wire and the log's times were kept. */
  fromWire: boolean;
}>;

export type WireUtterance = Readonly<{
  index: number;
  parts: readonly WirePart[];
  bargeIn: boolean;
}>;

export type CallerSpeechOptions = Readonly<{
  voicedRms?: number;
  /**
   * How far around a logged part to look for its voiced frames. It must stay under half the
   * shortest pause between parts (300 ms), or one part could take the next one's audio.
   */
  toleranceMs?: number;
}>;

/**
 * Spoken utterances (those with at least one part), with wire times.
 *
 * @example
 * const { utterances, warnings } = wireUtterances(caller.utterances, callerFrames);
 */
export function wireUtterances(
  logged: readonly CallerUtterance[],
  callerFrames: readonly AudioFrame[],
  opts: CallerSpeechOptions = {},
): { utterances: WireUtterance[]; warnings: string[] } {
  const voicedRms = opts.voicedRms ?? DEFAULT_VAD.voicedRms;
  const tolerance = opts.toleranceMs ?? 140;
  const warnings: string[] = [];
  const utterances = logged
    .filter((u) => u.parts.length > 0)
    .map((u): WireUtterance => {
      const parts = u.parts.map((part, p): WirePart => {
        let first: AudioFrame | undefined;
        let last: AudioFrame | undefined;
        for (
          let i = lowerBound(callerFrames, part.startMs - tolerance);
          i < callerFrames.length;
          i++
        ) {
          const f = callerFrames[i];
          if (!f || f.timeMs > part.endMs + tolerance) break;
          if (f.rms < voicedRms) continue;
          first ??= f;
          last = f;
        }
        if (!first || !last) {
          warnings.push(
            `utterance ${u.index} part ${p}: no voiced caller audio on the wire; kept the caller log's times`,
          );
          return { startMs: part.startMs, endMs: part.endMs, fromWire: false };
        }
        return { startMs: first.timeMs, endMs: last.timeMs + last.durationMs, fromWire: true };
      });
      return { index: u.index, parts, bargeIn: u.bargeIn };
    });
  return { utterances, warnings };
}

/** Index of the first frame at or after `timeMs` (frames in time order). */
export function lowerBound(frames: readonly { timeMs: number }[], timeMs: number): number {
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((frames[mid]?.timeMs ?? Infinity) < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
