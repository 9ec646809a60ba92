import { describe, expect, it } from 'vitest';
import { SpeechDetector } from './vad.ts';

/** Feeds 20 ms frames from `fromMs`: 'x' voiced (RMS 2000), '.' silent (RMS 20). */
function feed(detector: SpeechDetector, fromMs: number, pattern: string): number {
  let t = fromMs;
  for (const c of pattern) {
    detector.frame(t, c === 'x' ? 2000 : 20);
    t += 20;
  }
  return t;
}

describe('SpeechDetector', () => {
  it('hears nothing on line silence', () => {
    const agent = new SpeechDetector();
    feed(agent, 0, '..........');
    expect(agent.onsets).toEqual([]);
    expect(agent.silentFor(1000)).toBe(Infinity);
    expect(agent.speaking(1000, 800)).toBe(false);
  });

  it('takes a one-frame click for noise, two voiced frames for an onset at the first of them', () => {
    const agent = new SpeechDetector({ onsetFrames: 2 });
    feed(agent, 0, '..x....xx...');
    expect(agent.onsets).toEqual([140]);
    expect(agent.lastVoicedMs).toBe(160);
  });

  it('keeps one talk spurt across short gaps between words and starts a new one after a long gap', () => {
    const agent = new SpeechDetector({ spurtGapMs: 250 });
    // Words 200 ms apart (one spurt), then 400 ms of silence (a second spurt).
    const end = feed(agent, 0, 'xxxxx..........xxxxx' + '....................' + 'xxxx');
    expect(agent.onsets).toEqual([0, 800]);
    expect(agent.lastVoicedMs).toBe(end - 20);
  });

  it('counts a single voiced frame inside a spurt as its continuation', () => {
    const agent = new SpeechDetector();
    feed(agent, 0, 'xxx....x....');
    expect(agent.onsets).toEqual([0]);
    expect(agent.lastVoicedMs).toBe(140);
  });

  it('answers how long the agent has been silent and whether it still talks with a given hangover', () => {
    const agent = new SpeechDetector();
    feed(agent, 1000, 'xxxxx');
    // Last voiced frame at 1080.
    expect(agent.silentFor(1500)).toBe(420);
    expect(agent.speaking(1500, 800)).toBe(true);
    expect(agent.speaking(1900, 800)).toBe(false);
  });

  it('finds the first onset since a moment, and whether anything was heard since then', () => {
    const agent = new SpeechDetector();
    feed(agent, 0, 'xxxx' + '.'.repeat(30) + 'xxxx');
    expect(agent.onsetSince(0)).toBe(0);
    expect(agent.onsetSince(100)).toBe(680);
    expect(agent.onsetSince(1000)).toBeUndefined();
    expect(agent.heardSince(700)).toBe(true);
    expect(agent.heardSince(800)).toBe(false);
  });

  it('uses its threshold: frames below it are silence', () => {
    const agent = new SpeechDetector({ voicedRms: 5000 });
    feed(agent, 0, 'xxxxxx');
    expect(agent.onsets).toEqual([]);
  });
});
