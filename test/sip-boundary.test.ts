/**
 * What Genesys should never send, sent to the real stack: INVITEs without
 * SDP or with no codec we speak, from an address the trunk does not admit,
 * with hundreds of headers, control characters or a huge UUI. Each must end
 * in a clean SIP answer or a normal call that keeps its record, and the
 * bridge must take the next real call as before. Each case adds its row to
 * the reliability table (test/harness/reliability.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordsOf } from './harness/dispatch-records.ts';
import { defaultGenesysCall, placeGenesysCall } from './harness/genesys-call.ts';
import { waitForIdleWorker } from './harness/logs.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { probeInvite, probeSdp, type ProbeResult } from './harness/sip-probe.ts';
import { startStack, type Stack } from './harness/stack.ts';

const DNIS = '+18005550100';
const PCMU: [number, string][] = [[0, 'PCMU/8000']];

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ slot: 3, name: 'test-sip-boundary' });
});

afterAll(async () => {
  await stack?.stop();
});

const statuses = (r: ProbeResult) => r.responses.map((x) => x.status);

/** A refusal: a final 4xx-6xx, soon, and never an answer. */
function expectRefused(r: ProbeResult, label: string) {
  expect(statuses(r), label).not.toContain(200);
  expect(r.final, label).toBeGreaterThanOrEqual(400);
  expect(r.finalAtMs, label).toBeLessThan(2000);
  reliabilityRow({ case: label, caller: `${r.final} after ${r.finalAtMs} ms`, callsLost: 0 });
}

/** An answered call that keeps its record, found by the conversation id it came with. */
async function expectAnsweredAndRecorded(r: ProbeResult, cnv: string, label: string) {
  expect(r.final, label).toBe(200);
  const records = await callRecordsOf(stack, cnv, 20_000);
  expect(records, label).toHaveLength(1);
  expect(records[0], label).toMatchObject({ genesysConversationId: cnv, route: 'main' });
  reliabilityRow({
    case: label,
    caller: `answered after ${r.finalAtMs} ms, record kept (${String(records[0]?.['outcome'])})`,
    callsLost: 0,
    recordsLost: 0,
  });
  expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
}

describe('hostile SIP at the bridge', () => {
  it('refuses an INVITE without SDP at once, instead of ringing', async () => {
    const r = await probeInvite(stack.ports.sip, { dnis: DNIS }, 3000);
    expectRefused(r, 'INVITE without SDP');
  });

  it('refuses an offer with no codec it speaks (G.729 only)', async () => {
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, sdp: probeSdp('127.0.0.1', 39990, [[18, 'G729/8000']]) },
      3000,
    );
    expectRefused(r, 'offer with no supported codec (G.729 only)');
  });

  it('never answers a source outside allowedAddresses, nor starts an agent', async () => {
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, from: '127.0.0.2', sdp: probeSdp('127.0.0.2', 39990, PCMU) },
      5000,
    );
    expect(statuses(r)).not.toContain(200);
    expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
    reliabilityRow({
      case: 'INVITE from outside allowedAddresses',
      caller: `${statuses(r).join(', ') || 'nothing'}, then ${r.final ?? 'no final response'} within 5 s`,
      callsLost: 0,
      ...(r.final === undefined
        ? {
            cannot:
              'livekit-sip v1.8.0 drops an INVITE no trunk admits without a final response (its flood guard); the sender rings until its own timeout',
          }
        : {}),
    });
  });

  it('answers and records a call whose INVITE carries 300 X- headers (20 KB)', async () => {
    const cnv = '1b7e0f2a-3c4d-4e5f-8a9b-0c1d2e3f4a01';
    const headers = Array.from({ length: 300 }, (_, i) => `X-Junk-${i}: ${'v'.repeat(50)}`);
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnv, headers, sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      6000,
    );
    await expectAnsweredAndRecorded(r, cnv, 'INVITE with 300 X- headers (20 KB)');
  });

  it('answers and records a call with control characters and escapes in its X- headers', async () => {
    const cnv = '1b7e0f2a-3c4d-4e5f-8a9b-0c1d2e3f4a02';
    const headers = [
      'X-Customer-Tier: gold\x01\x07\x1b[31m\x7f',
      'X-Note: a\tb %0d%0aX-Injected: 1',
    ];
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnv, headers, sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      6000,
    );
    await expectAnsweredAndRecorded(r, cnv, 'control characters in X- headers');
  });

  it('answers and records a call with a 4 KB UUI over UDP', async () => {
    const cnv = '1b7e0f2a-3c4d-4e5f-8a9b-0c1d2e3f4a03';
    const uui = Buffer.from(`blob=${'x'.repeat(4096)}`, 'latin1').toString('hex');
    const r = await probeInvite(
      stack.ports.sip,
      {
        dnis: DNIS,
        conversationId: cnv,
        headers: [`User-to-User: 04${uui};encoding=hex`],
        sdp: probeSdp('127.0.0.1', 39990, PCMU),
      },
      6000,
    );
    await expectAnsweredAndRecorded(r, cnv, '4 KB UUI over UDP');
  });

  it('takes the next real Genesys call as before', async () => {
    const call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      conversationId: '1b7e0f2a-3c4d-4e5f-8a9b-0c1d2e3f4a04',
    });
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
  });
});
