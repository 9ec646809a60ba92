import { describe, expect, it } from 'vitest';
import { lowerBound, wireUtterances } from './caller-speech.ts';
import type { AudioFrame } from './vad.ts';

/** Caller frames every 20 ms from 0 to 10 s, voiced inside the spans. */
function callerFrames(voiced: [number, number][]): AudioFrame[] {
  return Array.from({ length: 500 }, (_, i) => {
    const timeMs = i * 20;
    const loud = voiced.some(([s, e]) => timeMs >= s && timeMs < e);
    return { timeMs, durationMs: 20, rms: loud ? 3000 : 0 };
  });
}

describe('caller speech on the wire', () => {
  it('takes the voiced frames around each logged part: the wire times win', () => {
    // The log runs 60 ms late and counts the clip's quiet lead-in and tail.
    const { utterances, warnings } = wireUtterances(
      [
        {
          index: 0,
          text: 'what are your | opening hours',
          bargeIn: false,
          parts: [
            { startMs: 1060, endMs: 2060 },
            { startMs: 2560, endMs: 3560 },
          ],
        },
      ],
      callerFrames([
        [1100, 1900],
        [2600, 3400],
      ]),
    );
    expect(warnings).toEqual([]);
    expect(utterances[0]?.parts).toEqual([
      { startMs: 1100, endMs: 1900, fromWire: true },
      { startMs: 2600, endMs: 3400, fromWire: true },
    ]);
  });

  it('keeps the log’s times, with a warning, when the wire has no voiced audio there', () => {
    const { utterances, warnings } = wireUtterances(
      [{ index: 2, text: 'x', bargeIn: true, parts: [{ startMs: 5000, endMs: 6000 }] }],
      callerFrames([]),
    );
    expect(utterances[0]).toEqual({
      index: 2,
      bargeIn: true,
      parts: [{ startMs: 5000, endMs: 6000, fromWire: false }],
    });
    expect(warnings).toHaveLength(1);
  });

  it('skips utterances that were never spoken', () => {
    expect(
      wireUtterances([{ index: 0, text: 'x', bargeIn: false, parts: [] }], callerFrames([]))
        .utterances,
    ).toEqual([]);
  });

  it('binary-searches frames by time', () => {
    const f = callerFrames([]);
    expect(lowerBound(f, -5)).toBe(0);
    expect(lowerBound(f, 30)).toBe(2);
    expect(lowerBound(f, 1e9)).toBe(f.length);
  });
});
