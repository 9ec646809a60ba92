import { describe, expect, it } from 'vitest';
import { createHandoffMonitor } from './handoff-monitor.ts';
import { parseHandoffPolicy } from './handoff-policy.ts';

const monitor = (input: Parameters<typeof parseHandoffPolicy>[0] = {}) =>
  createHandoffMonitor(parseHandoffPolicy(input));

describe('handoff monitor', () => {
  it.each([
    ['Can I talk to a real person?'],
    ['AGENT!'],
    ['I want to speak to someone please'],
    ['representative'],
  ])('hands off with caller_request when the caller says %j', (text) => {
    expect(monitor().callerTurn(text)).toMatchObject({
      action: 'handoff',
      reason: 'caller_request',
    });
  });

  it('does not mistake ordinary words for a request for a person', () => {
    const m = monitor();
    expect(m.callerTurn('my travel agency sent me a bill')).toEqual({ action: 'none' });
    expect(m.callerTurn('I want to pay my invoice')).toEqual({ action: 'none' });
  });

  it('hands off with frustration after two turns with negative words', () => {
    const m = monitor();
    expect(m.callerTurn("No, that's not what I said")).toEqual({ action: 'none' });
    expect(m.callerTurn('this is useless')).toMatchObject({
      action: 'handoff',
      reason: 'frustration',
      detail: 'negative words',
    });
  });

  it('hands off with frustration when the caller repeats the same request', () => {
    const m = monitor();
    expect(m.callerTurn('I need to change my address')).toEqual({ action: 'none' });
    expect(m.callerTurn('I need to change my address please')).toEqual({ action: 'none' });
    expect(m.callerTurn('change my address')).toMatchObject({
      reason: 'frustration',
      detail: 'repeated the same request',
    });
  });

  it('hands off with frustration after a run of low-confidence transcripts', () => {
    const m = monitor({ frustration: { maxLowConfidence: 2 } });
    expect(m.callerTurn('mumble one', 0.2)).toEqual({ action: 'none' });
    expect(m.callerTurn('something else', 0.9)).toEqual({ action: 'none' });
    expect(m.callerTurn('mumble two', 0.1)).toEqual({ action: 'none' });
    expect(m.callerTurn('mumble three', 0.3)).toMatchObject({
      reason: 'frustration',
      detail: 'could not understand the caller',
    });
  });

  it('hands off with turn_limit at the maximum number of turns', () => {
    const m = monitor({ maxTurns: 3 });
    expect(m.callerTurn('first question')).toEqual({ action: 'none' });
    expect(m.callerTurn('second thing entirely')).toEqual({ action: 'none' });
    expect(m.callerTurn('and a third topic')).toMatchObject({
      action: 'handoff',
      reason: 'turn_limit',
    });
  });

  it('warns once before the session time limit, then hands off with time_limit', () => {
    const m = monitor({ maxSessionSeconds: 120, warnBeforeSeconds: 30 });
    expect(m.elapsed(60)).toEqual({ action: 'none' });
    expect(m.elapsed(90)).toMatchObject({
      action: 'say',
      text: expect.stringMatching(/almost out of time/),
    });
    expect(m.elapsed(100)).toEqual({ action: 'none' });
    expect(m.elapsed(120)).toMatchObject({ action: 'handoff', reason: 'time_limit' });
  });

  it('prompts a silent caller, prompts again, then hands off with silence', () => {
    const m = monitor();
    expect(m.silence()).toEqual({ action: 'say', text: 'Are you still there?' });
    expect(m.silence()).toMatchObject({ action: 'say' });
    expect(m.silence()).toMatchObject({ action: 'handoff', reason: 'silence' });
  });

  it('ends the call politely after the prompts when the policy says end', () => {
    const m = monitor({ silence: { prompts: ['Hello?'], then: 'end', goodbye: 'Goodbye.' } });
    expect(m.silence()).toEqual({ action: 'say', text: 'Hello?' });
    expect(m.silence()).toEqual({ action: 'end', say: 'Goodbye.' });
  });

  it('starts counting silences again when the caller speaks', () => {
    const m = monitor();
    m.silence();
    m.silence();
    m.callerTurn('yes I am here');
    expect(m.silence()).toEqual({ action: 'say', text: 'Are you still there?' });
  });

  it('decides a handoff only once', () => {
    const m = monitor();
    expect(m.callerTurn('agent')).toMatchObject({ action: 'handoff' });
    expect(m.callerTurn('agent')).toEqual({ action: 'none' });
    expect(m.elapsed(10_000)).toEqual({ action: 'none' });
  });
});

describe('parseHandoffPolicy', () => {
  it('keeps watching after a handoff that did not go through, counting afresh', () => {
    const m = monitor({ maxTurns: 2, maxSessionSeconds: 100, warnBeforeSeconds: 10 });
    expect(m.callerTurn('I want a person')).toMatchObject({ reason: 'caller_request' });
    // The REFER failed: without this every later exit would be ignored.
    m.handoffFailed();
    expect(m.callerTurn('hello again')).toEqual({ action: 'none' });
    expect(m.callerTurn('still here')).toMatchObject({ reason: 'turn_limit' });
    m.handoffFailed();
    expect(m.elapsed(40)).toEqual({ action: 'none' });
    m.handoffFailed(); // nothing decided: nothing to re-arm
    expect(m.callerTurn('agent please')).toMatchObject({ reason: 'caller_request' });
    m.handoffFailed();
    // The session clock restarts at the failure (40 s): the limit is 100 s from there.
    expect(m.elapsed(130)).toEqual({ action: 'say', text: expect.any(String) });
    expect(m.elapsed(140)).toMatchObject({ reason: 'time_limit', detail: '140 s' });
  });

  it('fills every default', () => {
    const p = parseHandoffPolicy();
    expect(p).toMatchObject({ maxSessionSeconds: 600, warnBeforeSeconds: 60, maxTurns: 30 });
    expect(p.silence.then).toBe('transfer');
    expect(p.humanRequest).toContain('representative');
  });

  it('refuses a warning that comes after the limit, naming the field', () => {
    expect(() => parseHandoffPolicy({ maxSessionSeconds: 60, warnBeforeSeconds: 60 })).toThrow(
      /warnBeforeSeconds/,
    );
  });

  it('refuses unknown keys and upper-case phrases', () => {
    expect(() => parseHandoffPolicy({ maxMinutes: 3 } as never)).toThrow();
    expect(() => parseHandoffPolicy({ humanRequest: ['Agent'] })).toThrow(/lower-case/);
  });
});

describe('silence timing', () => {
  it('counts a silent period after 10 s by default and takes a persona override', () => {
    expect(parseHandoffPolicy().silence.afterSeconds).toBe(10);
    expect(parseHandoffPolicy({ silence: { afterSeconds: 6 } }).silence).toMatchObject({
      afterSeconds: 6,
      then: 'transfer',
    });
  });

  it('refuses a silence period too short to be a real pause', () => {
    expect(() => parseHandoffPolicy({ silence: { afterSeconds: 1 } })).toThrow(/afterSeconds/);
  });
});
