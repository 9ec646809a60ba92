/**
 * A rolling deploy on the real stack: the agent worker's main process gets
 * SIGTERM (as Kubernetes sends PID 1) while it talks to a caller. The call in
 * progress must go on to its normal end (here the caller presses 0 and is
 * transferred) and keep its record; the draining worker must take no new
 * call (with no other worker up, the next caller is refused at the ring
 * timeout, never answered); the worker exits once its call has ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitFor } from './harness/logs.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { probeInvite, probeSdp, type ProbeResult } from './harness/sip-probe.ts';
import { startStack, STACK_RING_TIMEOUT_SECONDS, type Stack } from './harness/stack.ts';

const TALKING = '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c01';
const LATE = '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c02';

let stack: Stack;
let talking: GenesysCallReport;
let late: ProbeResult;
let termAt = 0;
let workerExit: number | null | undefined;
let workerExitAt = 0;

beforeAll(async () => {
  stack = await startStack({
    slot: 6,
    name: 'test-worker-drain',
    // The product's default is 30 minutes; long enough for the call here, short enough to fail fast.
    agentEnv: { AGENT_DRAIN_TIMEOUT_SECONDS: '60' },
  });
  const worker = stack.processes.get('agent');
  if (!worker?.pid) throw new Error('no agent worker');
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    conversationId: TALKING,
    // Long enough to be mid-call when the worker is told to stop.
    trailingSilenceSeconds: 4,
  });
  const started = await waitFor(
    () =>
      readJsonLog(stack.runDir, 'agent.log').find(
        (l) => l.msg === 'voice pipeline started' && l['genesysConversationId'] === TALKING,
      ),
    (line) => line !== undefined,
    20_000,
  );
  if (!started) throw new Error('the agent never started the first call');
  // The leader only, as Kubernetes signals a pod's PID 1.
  process.kill(worker.pid, 'SIGTERM');
  termAt = Date.now();
  void worker.exited.then((code) => {
    workerExit = code;
    workerExitAt = Date.now();
  });
  await new Promise((r) => setTimeout(r, 1000));
  // A second caller while the first talks (sipp's ports are the first call's: the probe places it).
  [talking, late] = await Promise.all([
    placed,
    probeInvite(
      stack.ports.sip,
      {
        dnis: defaultGenesysCall.dnis,
        conversationId: LATE,
        sdp: probeSdp('127.0.0.1', 39990, [[0, 'PCMU/8000']]),
      },
      (STACK_RING_TIMEOUT_SECONDS + 5) * 1000,
    ),
  ]);
  await waitFor(
    () => workerExit,
    (code) => code !== undefined,
    30_000,
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a worker stopped with SIGTERM mid-call', () => {
  it('lets the call in progress end as it would have: transferred on DTMF 0, with its record', async () => {
    expect(talking.sipp.exitCode).toBe(0);
    expect(talking.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(talking.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero', ai_cnv: TALKING });
    const [record, ...more] = await callRecordsOf(stack, TALKING);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'dtmf_zero' });
  });

  it('takes no new call while draining: the next caller is refused at the ring timeout, never answered', async () => {
    expect(late.responses.map((r) => r.status)).not.toContain(200);
    expect(late.final).toBe(486);
    expect(late.finalAtMs).toBeGreaterThanOrEqual((STACK_RING_TIMEOUT_SECONDS - 0.5) * 1000);
    const [record] = await callRecordsOf(stack, LATE);
    expect(record).toMatchObject({ outcome: 'refused', jobId: 'none' });
  });

  it('exits once its call has ended, with 143 as after a SIGTERM', () => {
    expect(workerExit).toBe(143);
    const refer = talking.sipp.messages.find(
      (m) => m.direction === 'received' && m.method === 'REFER',
    );
    // It stayed up for the call: it exited after Genesys took the transfer.
    expect(workerExitAt / 1000).toBeGreaterThan(refer?.time ?? Infinity);
    reliabilityRow({
      case: 'worker stopped with SIGTERM mid-call (rolling deploy), no other worker',
      caller: `the call in progress transferred as usual; a caller arriving while it drained refused with 486 after ${((late.finalAtMs ?? 0) / 1000).toFixed(1)} s (the ring timeout); the worker exited ${((workerExitAt - termAt) / 1000).toFixed(1)} s after SIGTERM`,
      callsLost: 0,
      recordsLost: 0,
    });
  });
});
