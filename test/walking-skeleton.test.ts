/**
 * The walking-skeleton call through the real stack: sipp plays Genesys Cloud,
 * calls the route's number with Genesys headers, hears the greeting, speaks,
 * presses 0, and must receive a REFER back to the route's human queue with the
 * context as UUI inside the Refer-To URI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import { readJsonLog, waitFor, waitForIdleWorker } from './harness/logs.ts';
import { header } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';

describe('walking-skeleton Genesys call', () => {
  let stack: Stack;
  let call: GenesysCallReport;

  beforeAll(async () => {
    stack = await startStack({ slot: 1, name: 'test-walking-skeleton' });
    call = await placeGenesysCall(stack, defaultGenesysCall);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('completes the Genesys side of the scenario', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
  });

  it('builds the typed Genesys call context from the SIP attributes', () => {
    const answered = readJsonLog(stack.runDir, 'agent.log').find((l) => l.msg === 'call answered');
    // Logged with the caller's number and account masked (see observability.test.ts).
    expect(answered).toMatchObject({
      genesysConversationId: defaultGenesysCall.conversationId,
      ani: `+${'•'.repeat(defaultGenesysCall.ani.length - 3)}${defaultGenesysCall.ani.slice(-2)}`,
      dnis: defaultGenesysCall.dnis,
      route: 'main',
      persona: 'triage',
      uuiFields: { account: '[redacted]', intent: 'billing' },
      xHeaders: { 'x-customer-tier': 'gold' },
    });
    expect(answered?.['sipCallId']).toMatch(/^SCL_/);
  });

  it('plays a spoken greeting to the caller as PCMU RTP', () => {
    // The greeting is several seconds of speech; the caller listens ~5.5 s before the transfer.
    expect(call.heard.voicedMs).toBeGreaterThan(1500);
    expect(call.heard.peakRms).toBeGreaterThan(1000);
  });

  it('sends the caller speech and the RFC 2833 digit towards the bridge', () => {
    expect(call.said.voicedMs).toBeGreaterThan(1000);
    expect(call.digitsSent).toBe(true);
  });

  it('transfers with a REFER to the route human queue, UUI inside the Refer-To URI', () => {
    const refer = call.refer;
    expect(refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(refer?.uui).toMatch(/^[0-9a-f]+;encoding=hex$/);
    expect(refer?.protocolDiscriminator).toBe(0x04);
    expect(refer?.uuiFields).toMatchObject({
      ai_ctx: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ai_reason: 'dtmf_zero',
      ai_route: 'main',
      ai_cnv: defaultGenesysCall.conversationId,
    });
    expect(refer && header(refer.message, 'X-AI-Transfer-Reason')).toBe('dtmf_zero');
  });

  it('stores a context record that a Genesys data action can fetch by the UUI id', async () => {
    const id = call.refer?.uuiFields['ai_ctx'];
    const url = `http://127.0.0.1:${stack.ports.dispatch}/v1/context/${id}`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${stack.dispatchToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      reason: 'dtmf_zero',
      queue: 'general',
      route: 'main',
      persona: 'triage',
      genesysConversationId: defaultGenesysCall.conversationId,
      fields: { account: '[redacted]', intent: 'billing' },
      transcript: [{ role: 'agent', text: expect.stringContaining('Thank you for calling') }],
    });
  });

  it('tears the call down after Genesys reports the transfer done', () => {
    expect(call.byeReceived).toBe(true);
    const notifyAnswer = call.sipp.messages.find(
      (m) =>
        m.direction === 'received' && m.status === 200 && /NOTIFY/.test(header(m, 'CSeq') ?? ''),
    );
    expect(notifyAnswer).toBeDefined();
  });

  it('ends the agent job once the call is gone', async () => {
    expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
  });

  it('ends the agent job when the caller hangs up instead', async () => {
    const hangup = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-caller-hangup.xml',
      conversationId: '0a0b0c0d-1111-4222-8333-444455556666',
    });
    expect(hangup.sipp.exitCode).toBe(0);
    expect(hangup.heard.voicedMs).toBeGreaterThan(1000);
    expect(hangup.refer).toBeUndefined();
    const closed = await waitFor(
      () =>
        readJsonLog(stack.runDir, 'agent.log').find(
          (l) =>
            l.msg === 'session closed; ending job' &&
            l['genesysConversationId'] === '0a0b0c0d-1111-4222-8333-444455556666',
        ),
      (l) => l !== undefined,
      15_000,
    );
    expect(closed).toMatchObject({ reason: 'participant_disconnected', finalState: 'conversing' });
    expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
  });

  it('transfers a caller whose flow sent odd UUI and a conversation id that is not a UUID, and keeps its record', async () => {
    // What a customer's Architect flow may well send: UTF-8 text, "=" inside a
    // value, a field named like one of ours, a conversation id of its own.
    const sent = 'name=José;note=a=b;ai_reason=forged';
    const odd = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      conversationId: 'cnv 42',
      uui: Buffer.from(sent, 'utf8').toString('latin1'),
    });
    const kept = 'cnv%2042';
    expect(odd.sipp.exitCode).toBe(0);
    expect(odd.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(odd.refer?.uuiFields).toMatchObject({
      ai_reason: 'dtmf_zero',
      ai_route: 'main',
      ai_cnv: kept,
      name: 'Jos%C3%A9',
      note: 'a%3Db',
    });
    const [record, ...more] = await callRecordsOf(stack, kept);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      genesysConversationId: kept,
      genesysConversationIdProblem: 'not_uuid',
      outcome: 'transferred',
      escalationReason: 'dtmf_zero',
    });
  });

  it('leaves no process behind when the stack stops', async () => {
    const pids = [...stack.processes.values()]
      .map((p) => p.pid)
      .filter((p): p is number => p !== undefined);
    await stack.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
