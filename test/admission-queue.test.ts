/**
 * Admission on the real stack, on a trunk that hands callers no agent takes
 * to the queue (test/fixtures/routing-admission-queue.yaml: whenNoAgent:
 * queue, ringTimeoutSeconds: 3). The stack runs no agent worker, as when
 * every worker is full: dispatch answers the ringing caller before the ring
 * timeout and REFERs it to the route's queue with reason no_agent, and the
 * call keeps its record.
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
const CNV = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
const QUEUE = 'sip:+18005550150@127.0.0.1:5070';

let stack: Stack;
let call: GenesysCallReport;

beforeAll(async () => {
  stack = await startStack({
    slot: 2,
    name: 'test-admission-queue',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-admission-queue.yaml'),
    agent: false,
  });
  call = await placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-caller-handed-on.xml',
    conversationId: CNV,
    speech: '',
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a caller no agent takes, on a trunk that hands them to the queue', () => {
  it('is answered before the ring timeout, never refused', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    const invite = call.sipp.messages.find((m) => m.direction === 'sent' && m.method === 'INVITE');
    const ok = call.sipp.messages.find((m) => m.direction === 'received' && m.status === 200);
    const statuses = call.sipp.messages
      .filter((m) => m.direction === 'received' && m.status !== undefined)
      .map((m) => m.status);
    expect(statuses).not.toContain(486);
    const rang = (ok?.time ?? Infinity) - (invite?.time ?? 0);
    expect(rang).toBeLessThan(RING_TIMEOUT_S);
  });

  it("is REFERred to the route's queue with reason no_agent, the route and the conversation", () => {
    expect(call.refer?.target).toBe(QUEUE);
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'no_agent',
      ai_route: 'overflow',
      ai_cnv: CNV,
    });
    expect(call.byeReceived).toBe(true);
  });

  it('keeps a call record: transferred, reason no_agent, no agent job', async () => {
    const calls = await callRecordsOf(stack, CNV);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      route: 'overflow',
      jobId: 'none',
      outcome: 'transferred',
      escalationReason: 'no_agent',
      transfers: [{ queue: 'general', status: 'completed' }],
    });
    expect(await dispatchMetrics(stack)).toMatch(
      /^gva_dispatch_handed_on_calls_total\{route="overflow",result="transferred"\} 1$/m,
    );
  });
});
