/**
 * A whole call driven through the orchestrator (call.ts) with FAKE room,
 * session, SIP bridge and dispatch (testing/fakes.ts): each way out, each
 * failure, and the order of the end.
 */
import { initializeLogger, voice } from '@livekit/agents';
import { ParticipantKind } from '@livekit/rtc-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeUui } from '../../../contracts/genesys-uui.ts';
import {
  ANSWERER_ATTRIBUTE,
  ANSWERER_COMMITTED,
  answererIdentity,
} from '../../../contracts/hand-on.ts';
import { CALLER_LINES } from '../transfer/caller-lines.ts';
import { SIP_CALLER_WAIT_MS } from './admit.ts';
import { runCall } from './call.ts';
import { CALLER_ATTRIBUTES, fakeCall, fakeRouting, referRefused, until } from './testing/fakes.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'fatal' }));

/** Starts a call with the caller already in the room; resolves once the caller is greeted. */
async function answered(opts: Parameters<typeof fakeCall>[0] = {}) {
  const call = fakeCall(opts);
  call.callerJoins();
  let greeted = false;
  const life = runCall({ ...call.ports, conversing: () => (greeted = true) });
  await until(() => greeted, 'the caller is greeted');
  return { ...call, life };
}

function uuiOf(referTo: string): Readonly<Record<string, string>> {
  const embedded = decodeURIComponent(referTo.split('User-to-User=')[1] ?? '');
  return decodeUui(embedded, { protocolDiscriminator: 4 }).fields;
}

describe('a call, from admission to its end', () => {
  it('greets, hands the caller off on DTMF 0, and ends in order: record stored, then job ended', async () => {
    const call = await answered();
    expect(call.session.greeted).toHaveLength(1);
    expect(call.logged('call answered')).toHaveLength(1);
    call.room.press('sip_caller', '0');
    await until(() => call.sip.refers.length === 1, 'the REFER');
    expect(uuiOf(call.sip.refers[0]?.referTo ?? '')).toMatchObject({
      ai_ctx: 'ctx-1',
      ai_reason: 'dtmf_zero',
      ai_route: 'main',
      account: '42',
    });
    expect(call.sip.refers[0]?.headers).toEqual({ 'X-AI-Transfer-Reason': 'dtmf_zero' });
    // Genesys took the call: livekit-sip hangs up, the session closes.
    call.session.close();
    expect(await call.life).toBe('transferred');
    expect(call.room.phases()).toEqual(['conversing', 'transferring', 'transferred']);
    expect(call.events).toEqual([
      'stored /v1/calls/records',
      'trace transferred',
      'shutdown session closed',
    ]);
    expect(call.records[0]).toMatchObject({
      outcome: 'transferred',
      escalationReason: 'dtmf_zero',
    });
    // Nothing the call subscribed to outlives it.
    expect(call.room.listening()).toBe(0);
    expect(call.session.listening()).toBe(0);
  });

  it('ends as caller_hung_up when the caller leaves, with nothing left running', async () => {
    const call = await answered();
    call.room.leave('sip_caller');
    call.session.close();
    expect(await call.life).toBe('caller_hung_up');
    expect(call.events.at(-1)).toBe('shutdown session closed');
    expect(call.logged('session closed; ending job')[0]?.fields).toMatchObject({
      finalState: 'conversing',
      outcome: 'caller_hung_up',
    });
    expect(call.room.listening()).toBe(0);
    expect(call.session.listening()).toBe(0);
  });

  it('stores no record of its own when livekit-sip refused the caller before the agent was heard', async () => {
    const call = fakeCall();
    call.room.join('sip_caller', ParticipantKind.SIP, {
      ...CALLER_ATTRIBUTES,
      'sip.callStatus': 'ringing',
    });
    let greeted = false;
    const life = runCall({ ...call.ports, conversing: () => (greeted = true) });
    await until(() => greeted, 'the greeting, to a caller still ringing');
    // The ring timeout: livekit-sip sends 486 and leaves the room, the caller still ringing.
    call.room.leave('sip_caller');
    call.session.close();
    expect(await life).toBeUndefined();
    expect(call.records).toEqual([]);
    expect(
      call.logged(
        'livekit-sip refused the caller before this agent was heard; no record of its own',
      ),
    ).toHaveLength(1);
    expect(call.room.phases()).toEqual(['conversing']);
    expect(call.events.at(-1)).toBe('shutdown caller refused unanswered');
    expect(call.room.listening()).toBe(0);
    expect(call.session.listening()).toBe(0);
  });

  it('keeps the record of a call answered and then hung up, and of a caller who hung up while ringing', async () => {
    const answeredLate = fakeCall();
    answeredLate.room.join('sip_caller', ParticipantKind.SIP, {
      ...CALLER_ATTRIBUTES,
      'sip.callStatus': 'ringing',
    });
    let greeted = false;
    const life = runCall({ ...answeredLate.ports, conversing: () => (greeted = true) });
    await until(() => greeted, 'the greeting');
    answeredLate.room.update('sip_caller', { 'sip.callStatus': 'active' });
    answeredLate.room.update('sip_caller', { 'sip.callStatus': 'ringing' });
    answeredLate.room.leave('sip_caller');
    answeredLate.session.close();
    expect(await life).toBe('caller_hung_up');
    expect(answeredLate.records).toHaveLength(1);

    const abandoned = fakeCall();
    abandoned.room.join('sip_caller', ParticipantKind.SIP, {
      ...CALLER_ATTRIBUTES,
      'sip.callStatus': 'ringing',
    });
    greeted = false;
    const gone = runCall({ ...abandoned.ports, conversing: () => (greeted = true) });
    await until(() => greeted, 'the greeting');
    abandoned.room.update('sip_caller', { 'sip.callStatus': 'hangup' });
    abandoned.room.leave('sip_caller');
    abandoned.session.close();
    expect(await gone).toBe('caller_hung_up');
    expect(abandoned.records).toHaveLength(1);
  });

  it('hands off on a run of low-confidence turns (the recognizer confidence reaches the policy)', async () => {
    const call = await answered({
      routing: fakeRouting('{ frustration: { maxLowConfidence: 2 } }'),
    });
    await call.session.callerTurn('mumble mumble', 0.2);
    await call.session.callerTurn('something unclear', 0.1);
    await until(() => call.sip.refers.length === 1, 'the REFER');
    expect(call.session.said).toContain(CALLER_LINES.connecting);
    expect(uuiOf(call.sip.refers[0]?.referTo ?? '')['ai_reason']).toBe('frustration');
    call.session.close();
    expect(await call.life).toBe('transferred');
  });

  it('keeps every exit working after a policy handoff that did not go through', async () => {
    const call = await answered({
      routing: fakeRouting('{ frustration: { maxLowConfidence: 1 } }'),
    });
    // Target and alternate both refuse.
    call.sip.script.push(referRefused(486), referRefused(503));
    await call.session.callerTurn('mumble', 0.1);
    await until(() => call.session.said.includes(CALLER_LINES.notConnected), 'the apology');
    expect(call.sip.refers).toHaveLength(2);
    expect(call.room.phases().at(-1)).toBe('conversing');
    // The policy still watches: the next unclear turn hands the caller off again.
    await call.session.callerTurn('mumble again', 0.1);
    await until(() => call.sip.refers.length === 3, 'the second handoff');
    call.session.close();
    expect(await call.life).toBe('transferred');
  });

  it('hands off with provider_failure, apologizing on its own track, when the pipeline fails', async () => {
    const call = await answered();
    call.session.emit(voice.AgentSessionEventTypes.Error, {
      type: 'error',
      error: { type: 'llm_error', label: 'openai.LLM', recoverable: false },
      source: undefined,
    });
    await until(() => call.sip.refers.length === 1, 'the REFER');
    expect(call.session.apologies).toBe(1);
    expect(call.session.interrupts).toBe(1);
    expect(uuiOf(call.sip.refers[0]?.referTo ?? '')['ai_reason']).toBe('provider_failure');
    call.session.close(new Error('llm failed'));
    expect(await call.life).toBe('transferred');
    // The session's own failure does not start a second handoff.
    expect(call.sip.refers).toHaveLength(1);
  });

  it('says goodbye and deletes the room when the policy ends a silent call', async () => {
    const call = await answered({
      routing: fakeRouting("{ silence: { prompts: ['Are you there?'], then: end } }"),
    });
    call.session.away();
    await until(() => call.session.said.includes('Are you there?'), 'the prompt');
    call.session.away();
    await until(() => call.room.deleted === 1, 'the room deleted');
    expect(call.session.said.at(-1)).toMatch(/Goodbye/);
    expect(call.room.phases().at(-1)).toBe('ending');
    call.session.close();
    expect(await call.life).toBe('agent_ended');
  });

  it('stores the record when a silence prompt falls due while the session is closing', async () => {
    const call = await answered();
    call.session.closing = true;
    call.session.away();
    call.room.leave('sip_caller');
    call.session.close();
    expect(await call.life).toBe('caller_hung_up');
    expect(call.logged('call record stored')).toHaveLength(1);
  });

  it('labels the end-of-turn metric with the turn detector, not the STT', async () => {
    const call = await answered();
    call.session.emit(voice.AgentSessionEventTypes.MetricsCollected, {
      type: 'metrics_collected',
      metrics: {
        type: 'eou_metrics',
        endOfUtteranceDelayMs: 300,
        transcriptionDelayMs: 200,
        lastSpeakingTimeMs: 0,
      },
    });
    const stages = call.observed.map((o) => [o.labels['stage'], o.labels['provider']]);
    expect(stages).toEqual([
      ['eou_delay', 'livekit/turn-detector-v1-mini'],
      ['stt_final', 'offline/pocketsphinx'],
    ]);
    call.session.close();
    await call.life;
  });
});

describe('a call that cannot start', () => {
  it('hands the caller to the route queue when the job metadata is unreadable', async () => {
    const call = fakeCall({ metadata: 'not json' });
    call.callerJoins();
    expect(await runCall(call.ports)).toBeUndefined();
    expect(call.opened()).toBe(0);
    expect(call.sip.refers).toHaveLength(1);
    expect(call.sip.refers[0]?.referTo).toMatch(/^sip:\+18005550150@byoc\.example\?/);
    expect(uuiOf(call.sip.refers[0]?.referTo ?? '')).toMatchObject({
      ai_reason: 'agent_failure',
      ai_route: 'main',
    });
    expect(call.room.phases()).toEqual(['transferring', 'transferred']);
    // The hold chime played while livekit-sip answered, and stopped.
    expect(call.room.held).toBe(0);
    expect(call.events.at(-1)).toBe('shutdown call could not start');
  });

  it('leaves a caller dispatch is handing to the queue alone: no session, no REFER, no record', async () => {
    const call = fakeCall();
    call.room.join(answererIdentity(call.room.name), ParticipantKind.STANDARD, {
      [ANSWERER_ATTRIBUTE]: ANSWERER_COMMITTED,
    });
    call.room.join('sip_caller', ParticipantKind.SIP, {
      ...CALLER_ATTRIBUTES,
      'sip.callStatus': 'ringing',
    });
    expect(await runCall(call.ports)).toBeUndefined();
    expect(call.opened()).toBe(0);
    expect(call.sip.refers).toEqual([]);
    expect(call.records).toEqual([]);
    // A decided phase, so dispatch's recovery sends no replacement agent.
    expect(call.room.phases()).toEqual(['ending']);
    expect(call.events).toEqual(['shutdown caller handed on by dispatch']);
    expect(call.room.listening()).toBe(0);
  });

  it('waits for livekit-sip to answer the caller before the REFER', async () => {
    const call = fakeCall({ metadata: 'not json' });
    call.room.join('sip_caller', ParticipantKind.SIP, {
      ...CALLER_ATTRIBUTES,
      'sip.callStatus': 'ringing',
    });
    const life = runCall(call.ports);
    await until(() => call.room.phases().includes('transferring'), 'the rescue under way');
    await new Promise((r) => setImmediate(r));
    expect(call.sip.refers).toEqual([]);
    expect(call.room.held).toBe(1);
    call.room.update('sip_caller', { 'sip.callStatus': 'active' });
    await life;
    expect(call.sip.refers).toHaveLength(1);
  });

  it('leaves the call to dispatch (route named, undecided) when no REFER goes through', async () => {
    const call = fakeCall();
    call.room.join('sip_caller', ParticipantKind.SIP, {
      'genesys.to': '<sip:+18005550100@x>',
      'sip.callStatus': 'active',
    });
    call.sip.script.push(referRefused(486), referRefused(486));
    expect(await runCall(call.ports)).toBeUndefined();
    expect(call.room.attributes.at(-1)).toEqual({ 'gva.call': 'conversing', 'gva.route': 'main' });
  });

  it('ends the job, rescuing nobody, when the caller hung up before the agent joined', async () => {
    const call = fakeCall();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const life = runCall(call.ports);
      await vi.advanceTimersByTimeAsync(SIP_CALLER_WAIT_MS);
      expect(await life).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
    expect(call.opened()).toBe(0);
    expect(call.sip.refers).toEqual([]);
    expect(call.records).toEqual([]);
    expect(call.room.phases()).toEqual([]);
    expect(call.events).toEqual(['shutdown call could not start']);
    expect(call.room.listening()).toBe(0);
  });

  it('rescues the caller when setting the call up fails', async () => {
    const call = fakeCall();
    call.callerJoins();
    call.session.failStart = new Error('session start failed');
    expect(await runCall(call.ports)).toBeUndefined();
    expect(uuiOf(call.sip.refers[0]?.referTo ?? '')['ai_reason']).toBe('agent_failure');
    expect(call.events.at(-1)).toBe('shutdown call could not start');
  });
});
