/**
 * The caller's conversation logic against a simulated agent on a virtual
 * clock (20 ms steps): what it does and in which order, never how fast the
 * machine ran it.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from './arrivals.ts';
import type { SpokenPart } from './artifacts.ts';
import {
  converse,
  DEFAULT_BEHAVIOUR,
  newCallerRecord,
  type CallerLine,
  type CallerRecord,
} from './caller-behaviour.ts';
import type { RenderedScript } from './speech.ts';
import { SpeechDetector } from './vad.ts';

const SCRIPT: RenderedScript = {
  name: 'test',
  utterances: [
    { index: 0, text: 'a | b', bargeIn: false, parts: [part('a', 400), part('b', 600)] },
    { index: 1, text: 'c', bargeIn: true, parts: [part('c', 800)] },
    { index: 2, text: 'd', bargeIn: false, parts: [part('d', 1000)] },
  ],
  digit: { key: '1', afterUtterance: 1 },
};

function part(file: string, durationMs: number) {
  return { text: file, file, durationMs };
}

const clips = new Map(
  SCRIPT.utterances.flatMap((u) => u.parts.map((p) => [p.file, clip(p.durationMs)])),
);

function clip(ms: number): Uint8Array {
  return new Uint8Array((ms / 1000) * 8000).fill(0x10);
}

type Agent = Readonly<{
  greetingMs: number;
  replyDelayMs: number;
  replyMs: number;
  /** The agent stops this long after the caller starts talking over it. */
  yieldsAfterMs: number;
  /** REFER this long after the reply to the last utterance ended; undefined: never. */
  referAfterMs: number | undefined;
}>;

const POLITE_AGENT: Agent = {
  greetingMs: 3000,
  replyDelayMs: 900,
  replyMs: 2500,
  yieldsAfterMs: 400,
  referAfterMs: 1000,
};

/** Runs `converse` to its end on a virtual clock; returns the record and what the agent saw. */
async function simulate(agent: Agent) {
  let now = 1_000_000;
  const answeredAt = now;
  const detector = new SpeechDetector();
  // Agent talk intervals [start, end), appended as the conversation goes.
  const talk: [number, number][] =
    agent.greetingMs > 0 ? [[now + 200, now + 200 + agent.greetingMs]] : [];
  let callerTalking:
    { startMs: number; endAtMs: number; resolve: (p: SpokenPart) => void } | undefined;
  let digit: { left: number; atMs: number; resolve: (t: number) => void } | undefined;
  let referAt: number | undefined;
  let hungUp = false;
  const waiters = new Set<{
    predicate: () => boolean;
    deadline: number;
    resolve: (b: boolean) => void;
  }>();
  const utteranceEnds: number[] = [];

  const line: CallerLine = {
    now: () => now,
    agent: detector,
    until: (predicate, timeoutMs) =>
      predicate()
        ? Promise.resolve(true)
        : new Promise((resolve) => waiters.add({ predicate, deadline: now + timeoutMs, resolve })),
    sleep: (ms) =>
      new Promise((resolve) =>
        waiters.add({ predicate: () => false, deadline: now + ms, resolve: () => resolve() }),
      ),
    speak: (c) =>
      new Promise((resolve) => {
        const startMs = now + 20;
        callerTalking = { startMs, endAtMs: startMs + (c.length / 8000) * 1000 - 20, resolve };
        // The agent yields to a caller who talks over it.
        const current = talk.find(([s, e]) => s <= startMs && startMs < e);
        if (current) current[1] = startMs + agent.yieldsAfterMs;
      }),
    press: () => new Promise((resolve) => (digit = { left: 10, atMs: now + 20, resolve })),
    referred: () => referAt !== undefined && now >= referAt,
    hangUp: () => {
      hungUp = true;
    },
  };

  const record: CallerRecord = newCallerRecord();
  let done = false;
  const run = converse(line, SCRIPT, clips, DEFAULT_BEHAVIOUR, seededRandom(3), record).then(
    () => (done = true),
  );
  for (let step = 0; !done && step < 10_000; step++) {
    now += 20;
    const voiced = talk.some(([s, e]) => s <= now && now < e);
    detector.frame(now, voiced ? 3000 : 0);
    if (callerTalking && now >= callerTalking.endAtMs) {
      const { startMs, endAtMs, resolve } = callerTalking;
      callerTalking = undefined;
      resolve({ startMs, endMs: endAtMs });
      // A whole utterance ended when the caller does not go on within a second: reply then.
      utteranceEnds.push(endAtMs);
    }
    if (digit && --digit.left === 0) {
      digit.resolve(digit.atMs);
      digit = undefined;
    }
    // The agent replies once the caller has been quiet for its endpointing delay.
    const lastEnd = utteranceEnds.at(-1);
    if (lastEnd !== undefined && !callerTalking && now === lastEnd + agent.replyDelayMs) {
      talk.push([now, now + agent.replyMs]);
      if (
        record.utterances.length === SCRIPT.utterances.length &&
        agent.referAfterMs !== undefined
      ) {
        referAt = now + agent.replyMs + agent.referAfterMs;
      }
    }
    for (const w of [...waiters]) {
      const held = w.predicate();
      if (held || now >= w.deadline) {
        waiters.delete(w);
        w.resolve(held);
      }
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
  await run;
  return { record, talk, answeredAt, hungUp };
}

describe('converse', () => {
  it('waits for the greeting, pauses mid-sentence, barges in once, presses the digit between turns', async () => {
    const { record, talk, hungUp } = await simulate(POLITE_AGENT);
    const [greeting] = talk;
    expect(record.utterances.map((u) => u.parts.length)).toEqual([2, 1, 1]);
    expect(record.utterances.map((u) => u.bargeIn)).toEqual([false, true, false]);
    const [u0, u1, u2] = record.utterances;
    // Utterance 0 starts after the greeting and the agent's end-of-turn silence.
    expect(u0?.parts[0]?.startMs).toBeGreaterThanOrEqual((greeting?.[1] ?? 0) + 800);
    // The pause inside the sentence is within its range.
    const pause = (u0?.parts[1]?.startMs ?? 0) - (u0?.parts[0]?.endMs ?? 0);
    expect(pause).toBeGreaterThanOrEqual(300);
    expect(pause).toBeLessThanOrEqual(700 + 40);
    // Utterance 1 starts while the reply to utterance 0 is playing.
    const reply0 = talk.find(([s]) => s > (u0?.parts[1]?.endMs ?? 0));
    const start1 = u1?.parts[0]?.startMs ?? 0;
    expect(start1).toBeGreaterThan(reply0?.[0] ?? Infinity);
    expect(start1).toBeLessThan(reply0?.[1] ?? 0);
    // The digit comes after the reply to utterance 1 and before utterance 2.
    expect(record.digits.map((d) => d.digit)).toEqual(['1']);
    const reply1 = talk.find(([s]) => s > (u1?.parts[0]?.endMs ?? 0));
    expect(record.digits[0]?.atMs).toBeGreaterThan(reply1?.[1] ?? Infinity);
    expect(record.digits[0]?.atMs).toBeLessThan(u2?.parts[0]?.startMs ?? 0);
    // The REFER came: the caller leaves the call to the transfer.
    expect(hungUp).toBe(false);
    expect(record.hungUp).toBe(false);
    expect(record.notes).toEqual([]);
  });

  it('hangs up when no REFER follows the request for a person', async () => {
    const { record, hungUp } = await simulate({ ...POLITE_AGENT, referAfterMs: undefined });
    expect(record.utterances).toHaveLength(3);
    expect(hungUp).toBe(true);
    expect(record.hungUp).toBe(true);
    expect(record.notes.some((n) => n.startsWith('no REFER'))).toBe(true);
  });

  it('speaks anyway when the agent never greets', async () => {
    const { record } = await simulate({ ...POLITE_AGENT, greetingMs: 0 });
    expect(record.notes).toContain('no greeting heard');
    expect(record.utterances).toHaveLength(3);
  });

  it('does not flag a barge-in when the reply is over before the caller could start', async () => {
    const { record } = await simulate({ ...POLITE_AGENT, replyMs: 300 });
    expect(record.utterances[1]?.bargeIn).toBe(false);
    expect(record.notes).toContain('agent done before the barge-in of utterance 1');
  });
});
