import { describe, expect, it } from 'vitest';
import { squelch } from './pocketsphinx-audio.ts';

const chunk = (amplitude: number) => {
  const samples = new Int16Array(320);
  for (let i = 0; i < samples.length; i++) samples[i] = i % 2 === 0 ? amplitude : -amplitude;
  return new Uint8Array(samples.buffer);
};

describe('squelch', () => {
  it('turns line noise below the threshold into true silence', () => {
    expect([...squelch(chunk(50), 200)].every((b) => b === 0)).toBe(true);
  });

  it('passes speech-level audio through unchanged', () => {
    const speech = chunk(3000);
    expect(squelch(speech, 200)).toBe(speech);
  });

  it('does nothing when disabled', () => {
    const noise = chunk(50);
    expect(squelch(noise, 0)).toBe(noise);
  });
});
