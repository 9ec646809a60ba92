import { describe, expect, it } from 'vitest';
import { firstOnset, speakingAt, talkSpurts, type AudioFrame } from './vad.ts';

/** 20 ms frames from `fromMs`, loud where `pattern` has 'x', quiet where '.', missing where ' '. */
function frames(pattern: string, fromMs = 0): AudioFrame[] {
  return [...pattern].flatMap((ch, i) =>
    ch === ' ' ? [] : [{ timeMs: fromMs + i * 20, durationMs: 20, rms: ch === 'x' ? 3000 : 0 }],
  );
}

describe('talk-spurts', () => {
  it('starts at the first voiced frame and ends with the last voiced frame’s audio', () => {
    expect(talkSpurts(frames('....xxxx..............'))).toEqual([
      { startMs: 80, endMs: 160, voicedMs: 80 },
    ]);
  });

  it('keeps pauses up to the hangover inside one spurt, and splits at longer ones', () => {
    // 200 ms of quiet (10 frames) is within the hangover; 220 ms is not.
    expect(talkSpurts(frames('xxx..........xxx'))).toHaveLength(1);
    expect(talkSpurts(frames('xxx...........xxx'))).toHaveLength(2);
  });

  it('does not end a spurt when the stream stalls (no packets is not silence)', () => {
    const spurts = talkSpurts(frames('xxx                    xxx'));
    expect(spurts).toEqual([{ startMs: 0, endMs: 520, voicedMs: 120 }]);
  });

  it('ignores a single-frame click', () => {
    expect(talkSpurts(frames('.....x..........'))).toEqual([]);
  });

  it('honours a custom threshold', () => {
    const quiet = frames('xxxx').map((f) => ({ ...f, rms: 200 }));
    expect(talkSpurts(quiet)).toEqual([]);
    expect(talkSpurts(quiet, { voicedRms: 150 })).toHaveLength(1);
  });

  it('finds the spurt in progress and the next onset', () => {
    const spurts = talkSpurts(frames('xxxx..............xxxx'));
    expect(speakingAt(spurts, 40)?.startMs).toBe(0);
    expect(speakingAt(spurts, 80)).toBeUndefined();
    expect(firstOnset(spurts, 40, 1000)?.startMs).toBe(360);
    expect(firstOnset(spurts, 0, 360)).toBeUndefined();
  });
});
