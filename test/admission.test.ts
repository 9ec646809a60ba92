/**
 * Admission on the real stack: a caller no agent can take rings for the
 * trunk's ring timeout, then livekit-sip refuses the INVITE with 486 Busy
 * Here (what the Architect flow's failure path routes), instead of ringing
 * for livekit-sip's own three minutes. The stack runs no agent worker, as
 * when every worker is full or none is up; dispatch provisions the trunk
 * from test/fixtures/routing-admission.yaml (ringTimeoutSeconds: 3). The
 * refused call keeps its record: dispatch writes it from LiveKit's webhook
 * and counts it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { callRecordsOf, dispatchMetrics } from './harness/dispatch-records.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const RING_TIMEOUT_S = 3;
const CNV = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

let stack: Stack;
let call: GenesysCallReport;

beforeAll(async () => {
  stack = await startStack({
    slot: 2,
    name: 'test-admission',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-admission.yaml'),
    agent: false,
  });
  call = await placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-caller-refused.xml',
    conversationId: CNV,
    speech: '',
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a caller no agent takes', () => {
  it('is refused with 486 Busy Here, never answered', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    const responses = call.sipp.messages
      .filter((m) => m.direction === 'received' && m.status !== undefined)
      .map((m) => m.status);
    expect(responses).toContain(486);
    expect(responses).not.toContain(200);
  });

  it("rings for the trunk's ring timeout, not livekit-sip's three minutes", () => {
    const invite = call.sipp.messages.find((m) => m.direction === 'sent' && m.method === 'INVITE');
    const refused = call.sipp.messages.find((m) => m.direction === 'received' && m.status === 486);
    const rang = (refused?.time ?? Infinity) - (invite?.time ?? 0);
    expect(rang).toBeGreaterThanOrEqual(RING_TIMEOUT_S - 0.1);
    // The room join before the timer starts takes well under a second on an idle stack.
    expect(rang).toBeLessThan(RING_TIMEOUT_S + 3);
  });

  it('hears nothing from the bridge', () => {
    expect(call.heard.voicedMs).toBe(0);
  });

  it('keeps a call record an operator finds by the conversation id: refused, no agent job', async () => {
    const calls = await callRecordsOf(stack, CNV);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      genesysConversationId: CNV,
      route: 'overflow',
      persona: 'overflow',
      jobId: 'none',
      outcome: 'refused',
      transfers: [],
      latency: { turns: 0 },
    });
    const rang =
      Date.parse(String(calls[0]?.['endedAt'])) - Date.parse(String(calls[0]?.['startedAt']));
    // The webhook's time has a resolution of one second.
    expect(rang).toBeGreaterThanOrEqual((RING_TIMEOUT_S - 1) * 1000);
  });

  it("counts the refusal in dispatch's metrics, by route", async () => {
    expect(await dispatchMetrics(stack)).toMatch(
      /^gva_dispatch_refused_calls_total\{route="overflow"\} 1$/m,
    );
  });
});
