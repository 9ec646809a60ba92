import { AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { HalfRate } from './half-rate.ts';

const RATE = 16_000;

function tone(hz: number, samples: number, amplitude = 10_000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

function rms(data: Int16Array, skip = 32): number {
  let e = 0;
  for (let i = skip; i < data.length; i++) e += (data[i] ?? 0) ** 2;
  return Math.sqrt(e / (data.length - skip));
}

function run(data: Int16Array, frameSize: number): Int16Array {
  const half = new HalfRate();
  const parts: number[] = [];
  for (let at = 0; at < data.length; at += frameSize) {
    const chunk = data.slice(at, at + frameSize);
    const out = half.push(new AudioFrame(chunk, RATE, 1, chunk.length));
    expect(out.sampleRate).toBe(RATE / 2);
    parts.push(...out.data);
  }
  return Int16Array.from(parts);
}

describe('HalfRate', () => {
  it('keeps a voice-band tone at its level and frequency', () => {
    const out = run(tone(1000, RATE), 160);
    expect(out.length).toBe(RATE / 2);
    expect(rms(out) / rms(tone(1000, RATE))).toBeGreaterThan(0.97);
    expect(rms(out) / rms(tone(1000, RATE))).toBeLessThan(1.03);
    // 1 kHz at 8 kHz: 8 samples a period, so x[n] and x[n+8] agree.
    for (let i = 100; i < 200; i++)
      expect(Math.abs((out[i] ?? 0) - (out[i + 8] ?? 0))).toBeLessThan(60);
  });

  it('stops what would alias: a 6 kHz tone comes out more than 30 dB down', () => {
    const out = run(tone(6000, RATE), 160);
    expect(20 * Math.log10(rms(out) / rms(tone(6000, RATE)))).toBeLessThan(-30);
  });

  it('gives the same samples whatever the frame sizes', () => {
    const speechLike = tone(440, 4000);
    const whole = run(speechLike, speechLike.length);
    expect(run(speechLike, 160)).toEqual(whole);
    expect(run(speechLike, 37)).toEqual(whole);
  });

  it('refuses stereo frames', () => {
    expect(() => new HalfRate().push(new AudioFrame(new Int16Array(320), RATE, 2, 160))).toThrow(
      /mono/,
    );
  });
});
