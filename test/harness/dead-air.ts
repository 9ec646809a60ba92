/**
 * Dead air as a caller experiences it, from the wire: stretches in which
 * neither the caller nor the agent is heard on the G.711 stream.
 */
import { mulawToLinear } from './audio.ts';
import type { RtpPacket } from './rtp-capture.ts';

/** RMS (16-bit) above which a packet carries a voice, as `audioStats` counts it. */
const VOICED_RMS = 300;

export type DeadAir = Readonly<{
  /** The longest stretch with nobody heard, in ms. */
  longestMs: number;
  /** When it started (epoch seconds, wire time). */
  startedAt: number;
}>;

/** True when a PCMU packet's payload is clearly above line noise. */
function voiced(packet: RtpPacket): boolean {
  if (packet.payloadType !== 0 || packet.payload.length === 0) return false;
  let sum = 0;
  for (const b of packet.payload) sum += mulawToLinear(b) ** 2;
  return Math.sqrt(sum / packet.payload.length) >= VOICED_RMS;
}

/**
 * The longest silence on the call between `from` and `to` (epoch seconds):
 * no voiced packet from either side.
 *
 * @example
 * longestDeadAir(call.rtp, callerDoneAt, call.refer.message.time).longestMs; // 2840
 */
export function longestDeadAir(rtp: readonly RtpPacket[], from: number, to: number): DeadAir {
  const times = rtp
    .filter((p) => p.time >= from && p.time <= to && voiced(p))
    .map((p) => p.time)
    .sort((a, b) => a - b);
  let longest = { longestMs: 0, startedAt: from };
  let last = from;
  for (const t of [...times, to]) {
    const gapMs = (t - last) * 1000;
    if (gapMs > longest.longestMs) longest = { longestMs: Math.round(gapMs), startedAt: last };
    last = t;
  }
  return longest;
}

/** When the last voiced packet `port` sent before `before` (epoch seconds) left, if any. */
export function lastVoicedFrom(
  rtp: readonly RtpPacket[],
  port: number,
  before: number,
): number | undefined {
  let at: number | undefined;
  for (const p of rtp) if (p.srcPort === port && p.time < before && voiced(p)) at = p.time;
  return at;
}
