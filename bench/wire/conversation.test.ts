import { describe, expect, it } from 'vitest';
import type { WireUtterance } from './caller-speech.ts';
import { measureConversation } from './conversation.ts';
import type { TalkSpurt } from './vad.ts';

const spurt = (startMs: number, endMs: number): TalkSpurt => ({
  startMs,
  endMs,
  voicedMs: endMs - startMs,
});
const utt = (index: number, parts: [number, number][], bargeIn = false): WireUtterance => ({
  index,
  bargeIn,
  parts: parts.map(([startMs, endMs]) => ({ startMs, endMs, fromWire: true })),
});
const base = { answeredAtMs: 1000, callEndMs: 60_000 };

describe('conversation on the wire', () => {
  it('measures the greeting and each turn from the end of the caller’s speech', () => {
    const c = measureConversation({
      ...base,
      agentSpurts: [spurt(1700, 4000), spurt(6800, 9000), spurt(12_500, 14_000)],
      utterances: [utt(0, [[5000, 6000]]), utt(1, [[10_000, 11_000]])],
    });
    expect(c.greetingOnsetMs).toBe(700);
    expect(c.turns).toEqual([
      { utterance: 0, latencyMs: 800 },
      { utterance: 1, latencyMs: 1500 },
    ]);
    expect(c.unansweredTurns).toBe(0);
  });

  it('does not take speech already under way when the caller stopped for a reply', () => {
    const c = measureConversation({
      ...base,
      // The agent talks through the whole utterance and on past its end, then stops.
      agentSpurts: [spurt(4000, 7000)],
      utterances: [utt(0, [[5000, 6000]]), utt(1, [[8000, 9000]])],
    });
    expect(c.turns).toEqual([]);
    expect(c.unansweredTurns).toBe(2);
    expect(c.greetingOnsetMs).toBe(3000);
  });

  it('counts a reply that comes only after the caller moved on as unanswered', () => {
    const c = measureConversation({
      ...base,
      agentSpurts: [spurt(8500, 9500)],
      utterances: [utt(0, [[5000, 6000]]), utt(1, [[8000, 8400]])],
      digitTimesMs: [],
    });
    expect(c.turns).toEqual([{ utterance: 1, latencyMs: 100 }]);
    expect(c.unansweredTurns).toBe(1);
    const byDigit = measureConversation({
      ...base,
      agentSpurts: [spurt(7500, 7900)],
      utterances: [utt(0, [[5000, 6000]])],
      digitTimesMs: [7000],
    });
    expect(byDigit.turns).toEqual([]);
    expect(
      measureConversation({
        ...base,
        callEndMs: 7000,
        agentSpurts: [spurt(7500, 7900)],
        utterances: [utt(0, [[5000, 6000]])],
      }).unansweredTurns,
    ).toBe(1);
  });

  it('finds premature replies in mid-sentence pauses and during the part after, not when the agent was already speaking', () => {
    const parts: [number, number][] = [
      [5000, 6000],
      [6500, 7500],
    ];
    const inPause = measureConversation({
      ...base,
      agentSpurts: [spurt(6200, 6800)],
      utterances: [utt(0, parts)],
    });
    expect(inPause).toMatchObject({ midSentencePauses: 1, prematureReplies: 1 });
    const duringNextPart = measureConversation({
      ...base,
      agentSpurts: [spurt(7000, 7400)],
      utterances: [utt(0, parts)],
    });
    expect(duringNextPart.prematureReplies).toBe(1);
    const afterEnd = measureConversation({
      ...base,
      agentSpurts: [spurt(8000, 9000)],
      utterances: [utt(0, parts)],
    });
    expect(afterEnd).toMatchObject({
      prematureReplies: 0,
      turns: [{ utterance: 0, latencyMs: 500 }],
    });
    const alreadySpeaking = measureConversation({
      ...base,
      agentSpurts: [spurt(5500, 6100), spurt(6400, 6900)],
      utterances: [utt(0, parts)],
    });
    expect(alreadySpeaking.prematureReplies).toBe(0);
  });

  it('times barge-in stops, and says when the agent did not stop', () => {
    const stopped = measureConversation({
      ...base,
      agentSpurts: [spurt(4000, 5300), spurt(7000, 8000)],
      utterances: [utt(0, [[5000, 6000]], true)],
    });
    expect(stopped.bargeIns).toEqual([{ stopMs: 300, stopped: true }]);
    expect(stopped.turns).toEqual([{ utterance: 0, latencyMs: 1000 }]);
    const talkedOn = measureConversation({
      ...base,
      agentSpurts: [spurt(4000, 6500)],
      utterances: [utt(0, [[5000, 6000]], true)],
    });
    expect(talkedOn.bargeIns).toEqual([{ stopMs: 1000, stopped: false, overrunMs: 500 }]);
    const silent = measureConversation({
      ...base,
      agentSpurts: [spurt(2000, 3000)],
      utterances: [utt(0, [[5000, 6000]], true)],
    });
    expect(silent.bargeIns).toEqual([]);
    expect(silent.warnings.join()).toMatch(/barge-in/);
  });

  it('has no greeting when the agent first spoke after the caller did', () => {
    const c = measureConversation({
      ...base,
      agentSpurts: [spurt(6500, 7000)],
      utterances: [utt(0, [[5000, 6000]])],
    });
    expect(c.greetingOnsetMs).toBeUndefined();
    expect(c.turns).toEqual([{ utterance: 0, latencyMs: 500 }]);
  });
});
