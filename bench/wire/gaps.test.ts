import { describe, expect, it } from 'vitest';
import { audioGaps, packetInterval, type StreamPacket } from './gaps.ts';

function stream(n: number, tweak: (p: StreamPacket, i: number) => StreamPacket = (p) => p) {
  return Array.from({ length: n }, (_, i) =>
    tweak(
      {
        timeMs: 1000 + i * 20,
        seq: 65530 + i,
        timestamp: 4294967000 + i * 160,
        ssrc: 7,
        durationMs: 20,
      },
      i,
    ),
  ).map((p) => ({ ...p, seq: p.seq & 0xffff, timestamp: p.timestamp >>> 0 }));
}
const speaking = [{ startMs: 1000, endMs: 3000, voicedMs: 2000 }];

describe('audio gaps', () => {
  it('finds none in a clean stream, across sequence and timestamp wrap-around', () => {
    const clean = stream(100);
    expect(packetInterval(clean[0]!, clean[1]!)).toBe(20);
    expect(audioGaps(clean, speaking)).toEqual({ count: 0, longestMs: 0 });
  });

  it('counts an arrival stall over 100 ms', () => {
    const stalled = stream(100, (p, i) => (i >= 50 ? { ...p, timeMs: p.timeMs + 130 } : p));
    expect(audioGaps(stalled, speaking)).toEqual({ count: 1, longestMs: 150 });
  });

  it('counts lost packets by their sequence numbers, and skipped media by timestamps', () => {
    const lost = stream(100).filter((_, i) => i < 40 || i > 45);
    expect(audioGaps(lost, speaking)).toEqual({ count: 1, longestMs: 140 });
    const skipped = stream(100, (p, i) =>
      i >= 60 ? { ...p, timestamp: p.timestamp + 8 * 200 } : p,
    );
    expect(audioGaps(skipped, speaking)).toEqual({ count: 1, longestMs: 220 });
  });

  it('ignores gaps while the agent is silent, and a new SSRC', () => {
    const stalled = stream(100, (p, i) => (i >= 50 ? { ...p, timeMs: p.timeMs + 500 } : p));
    expect(audioGaps(stalled, [{ startMs: 1000, endMs: 1500, voicedMs: 500 }]).count).toBe(0);
    const reset = stream(100, (p, i) => (i >= 50 ? { ...p, ssrc: 8, seq: 1, timestamp: 0 } : p));
    expect(audioGaps(reset, speaking).count).toBe(0);
  });
});
