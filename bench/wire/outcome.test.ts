import { describe, expect, it } from 'vitest';
import { callOutcome, type OutcomeInput } from './outcome.ts';
import type { CallSignalling } from './signalling.ts';

const answered: CallSignalling = {
  callId: 'a@x',
  invitedAtMs: 0,
  answeredAtMs: 800,
  finalStatus: 200,
  cancelledAtMs: undefined,
  ringEndedAtMs: 800,
  referAtMs: undefined,
  referTarget: undefined,
  referReason: undefined,
  bridgeByeAtMs: undefined,
  callerByeAtMs: undefined,
  lastMessageAtMs: 0,
};
const ok: OutcomeInput['caller'] = { end: 'hangup', sippExitCode: 0, failures: [] };
const outcome = (sip: Partial<CallSignalling> | undefined, more: Partial<OutcomeInput> = {}) =>
  callOutcome({
    signalling: sip === undefined ? undefined : { ...answered, ...sip },
    caller: ok,
    agentSpoke: true,
    scriptEndMs: 20_000,
    ...more,
  }).outcome;

describe('call outcome', () => {
  it('transferred: a REFER, then the call was released', () => {
    expect(outcome({ referAtMs: 21_000, bridgeByeAtMs: 22_000 })).toBe('transferred');
    expect(outcome({ referAtMs: 21_000 }, { caller: { ...ok, end: 'refer' } })).toBe('transferred');
  });

  it('handed on: a REFER with reason no_agent, released, whether or not anything was heard', () => {
    const refer = { referAtMs: 2_400, referReason: 'no_agent', bridgeByeAtMs: 2_600 };
    expect(outcome(refer, { agentSpoke: false })).toBe('handed_on');
    expect(outcome(refer)).toBe('handed_on');
    // Not released, or another reason from a silent agent: the caller was not handed on.
    expect(outcome({ ...refer, bridgeByeAtMs: undefined }, { agentSpoke: false })).toBe('lost');
    expect(outcome({ ...refer, referReason: 'dtmf_zero' }, { agentSpoke: false })).toBe('lost');
  });

  it('completed: the caller hung up after its script, or the bridge did after the script', () => {
    expect(outcome({ callerByeAtMs: 30_000 })).toBe('completed');
    expect(outcome({ bridgeByeAtMs: 25_000 })).toBe('completed');
  });

  it('abandoned: the caller cancelled while ringing, even when a 200 OK crossed the CANCEL', () => {
    expect(outcome({ answeredAtMs: undefined, finalStatus: 487, cancelledAtMs: 30_000 })).toBe(
      'abandoned',
    );
    expect(outcome({ answeredAtMs: 30_010, cancelledAtMs: 30_000 })).toBe('abandoned');
  });

  it('refused: a final 4xx-6xx without an answer', () => {
    expect(outcome({ answeredAtMs: undefined, finalStatus: 486 })).toBe('refused');
    expect(outcome({ answeredAtMs: undefined, finalStatus: 503 })).toBe('refused');
  });

  it('lost: silent agent, early bridge BYE, sipp failure, or no INVITE at all', () => {
    expect(outcome({ callerByeAtMs: 30_000 }, { agentSpoke: false })).toBe('lost');
    expect(outcome({ bridgeByeAtMs: 10_000 })).toBe('lost');
    expect(outcome({ bridgeByeAtMs: 25_000 }, { scriptEndMs: undefined })).toBe('lost');
    expect(outcome({ callerByeAtMs: 30_000 }, { caller: { ...ok, sippExitCode: 1 } })).toBe('lost');
    expect(outcome(undefined)).toBe('lost');
    expect(outcome({ answeredAtMs: undefined, finalStatus: undefined })).toBe('lost');
  });

  it('says why a call counts as lost', () => {
    const r = callOutcome({
      signalling: { ...answered, bridgeByeAtMs: 1000 },
      caller: ok,
      agentSpoke: true,
      scriptEndMs: 5000,
    });
    expect(r.warnings.join()).toMatch(/bridge hung up/);
  });
});
