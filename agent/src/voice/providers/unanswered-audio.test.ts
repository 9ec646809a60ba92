import { AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { KEPT_PAUSE_S, LEAD_IN_S, UNANSWERED_MAX_S, UnansweredAudio } from './unanswered-audio.ts';

/** 10 ms at 24 kHz. */
const frame = () => new AudioFrame(new Int16Array(240), 24000, 1, 240);
const frames = (seconds: number) => Array.from({ length: Math.round(seconds * 100) }, frame);

function keep(pending: UnansweredAudio, list: readonly AudioFrame[], voiced: boolean) {
  for (const f of list) pending.push(f, voiced);
}

describe('UnansweredAudio', () => {
  it('keeps nothing until the caller speaks', () => {
    const pending = new UnansweredAudio();
    keep(pending, frames(3), false);
    expect(pending.frames).toEqual([]);
    expect(pending.seconds).toBe(0);
  });

  it(`keeps ${LEAD_IN_S} s of the silence before the first word`, () => {
    const pending = new UnansweredAudio();
    const silence = frames(2);
    const speech = frames(0.5);
    keep(pending, silence, false);
    keep(pending, speech, true);
    const kept = [...silence.slice(-LEAD_IN_S * 100), ...speech];
    expect(pending.frames.length).toBe(kept.length);
    expect(pending.frames.every((f, i) => f === kept[i])).toBe(true);
  });

  it(`keeps speech and pauses of up to ${KEPT_PAUSE_S} s, in order, by reference`, () => {
    const pending = new UnansweredAudio();
    const first = frames(1);
    const shortPause = frames(0.4);
    const second = frames(0.5);
    const longPause = frames(5);
    const third = frames(0.3);
    keep(pending, first, true);
    keep(pending, shortPause, false);
    keep(pending, second, true);
    keep(pending, longPause, false);
    keep(pending, third, true);
    const kept = [...first, ...shortPause, ...second, ...longPause.slice(0, 100), ...third];
    expect(pending.frames.length).toBe(kept.length);
    expect(pending.frames.every((f, i) => f === kept[i])).toBe(true);
    expect(pending.seconds).toBeCloseTo(1 + 0.4 + 0.5 + KEPT_PAUSE_S + 0.3);
  });

  it(`drops the oldest audio beyond ${UNANSWERED_MAX_S} s`, () => {
    const pending = new UnansweredAudio(2);
    const speech = frames(3);
    keep(pending, speech, true);
    expect(pending.seconds).toBeCloseTo(2);
    expect(pending.frames[0]).toBe(speech[100]);
    expect(pending.frames.at(-1)).toBe(speech.at(-1));
  });

  it('forgets everything once the provider answers', () => {
    const pending = new UnansweredAudio();
    keep(pending, frames(1), true);
    pending.clear();
    expect(pending.frames).toEqual([]);
    keep(pending, frames(1), false);
    expect(pending.seconds).toBe(0);
  });
});
