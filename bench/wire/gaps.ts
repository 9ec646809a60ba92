/**
 * Audio gaps in the agent's stream while it speaks: consecutive packets
 * (in arrival order) whose starts lie more than 100 ms apart by arrival time,
 * by sequence number (lost packets) or by RTP timestamp (skipped media).
 * A normal 20 ms stream shows 20 ms on all three.
 */
import type { TalkSpurt } from './vad.ts';

export type StreamPacket = Readonly<{
  timeMs: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  /** Media duration of the packet (20 ms for the bench's PCMU). */
  durationMs: number;
}>;

export type AudioGaps = Readonly<{ count: number; longestMs: number }>;

export type GapOptions = Readonly<{
  /** Intervals above this count as a gap. */
  thresholdMs?: number;
  /** RTP clock of the stream, in ticks per millisecond (PCMU: 8). */
  ticksPerMs?: number;
}>;

/**
 * The interval between two consecutive packets' starts, the largest of arrival, sequence and
 * timestamp distance; sequence and timestamp count only within one SSRC and only forwards.
 *
 * @example
 * packetInterval(a, b); // 20 for a clean 20 ms stream
 */
export function packetInterval(a: StreamPacket, b: StreamPacket, ticksPerMs = 8): number {
  let interval = b.timeMs - a.timeMs;
  if (a.ssrc === b.ssrc) {
    const seqDelta = (b.seq - a.seq) & 0xffff;
    if (seqDelta < 0x8000) interval = Math.max(interval, seqDelta * a.durationMs);
    const tsDelta = (b.timestamp - a.timestamp) >>> 0;
    if (tsDelta < 0x80000000) interval = Math.max(interval, tsDelta / ticksPerMs);
  }
  return interval;
}

/**
 * Counts gaps between consecutive packets that both fall inside one talk-spurt.
 *
 * @example
 * const { count, longestMs } = audioGaps(agentPackets, agentSpurts);
 */
export function audioGaps(
  packets: readonly StreamPacket[],
  spurts: readonly TalkSpurt[],
  opts: GapOptions = {},
): AudioGaps {
  const threshold = opts.thresholdMs ?? 100;
  const ticksPerMs = opts.ticksPerMs ?? 8;
  let count = 0;
  let longestMs = 0;
  let s = 0;
  for (let i = 1; i < packets.length; i++) {
    const a = packets[i - 1];
    const b = packets[i];
    if (!a || !b) continue;
    while (s < spurts.length && (spurts[s]?.endMs ?? 0) <= a.timeMs) s++;
    const spurt = spurts[s];
    if (!spurt || a.timeMs < spurt.startMs || b.timeMs >= spurt.endMs) continue;
    const interval = packetInterval(a, b, ticksPerMs);
    if (interval > threshold) {
      count++;
      longestMs = Math.max(longestMs, interval);
    }
  }
  return { count, longestMs: Math.round(longestMs) };
}
