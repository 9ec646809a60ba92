/**
 * Who hears whom, from the RTP a side received: each party plays a steady
 * tone of its own, and a 20 ms frame "carries" a tone when the Goertzel power
 * at that frequency is most of the frame's energy and the frame is not quiet.
 */
import { generatePhoneAudio, mulawToLinear } from './audio.ts';
import type { RtpPacket } from './rtp-capture.ts';

/** Writes `seconds` of a sine tone as 8 kHz mu-law WAV (sox). */
export function writeTone(file: string, hz: number, seconds: number): void {
  generatePhoneAudio(file, ['synth', String(seconds), 'sine', String(hz), 'vol', '0.3']);
}

/** Share of a frame's energy at `hz` (0..1), by the Goertzel algorithm. */
export function toneShare(samples: readonly number[], hz: number, rate = 8000): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of samples) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  // A pure tone of amplitude A over N samples gives power ≈ (A·N/2)² and energy ≈ A²·N/2.
  return energy === 0 ? 0 : Math.min(1, (2 * power) / (samples.length * energy));
}

/**
 * Frames (PCMU packets) in [from, to) epoch seconds where `hz` dominates (a
 * chord: the frequencies together) and the RMS is above line noise.
 */
export function framesWithTone(
  packets: readonly RtpPacket[],
  hz: number | readonly number[],
  from = -Infinity,
  to = Infinity,
): number {
  let count = 0;
  for (const p of packets) {
    if (p.payloadType !== 0 || p.time < from || p.time >= to) continue;
    const samples = [...p.payload].map(mulawToLinear);
    const rms = Math.sqrt(samples.reduce((a, x) => a + x * x, 0) / samples.length);
    const share = (typeof hz === 'number' ? [hz] : hz).reduce(
      (sum, f) => sum + toneShare(samples, f),
      0,
    );
    if (rms > 300 && share > 0.5) count++;
  }
  return count;
}
