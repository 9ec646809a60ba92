/**
 * The platform underneath restarted while a call is up: livekit-sip drained
 * (SIGTERM) and crashed (SIGKILL), livekit-server crashed, Redis crashed
 * (no persistence, as a Redis without a volume restarts). Each case places a
 * Genesys call that waits 24 s in silence and then presses 0; the component
 * goes down a few seconds into the call and comes straight back.
 *
 * Judged from the wire: whether the caller was still transferred (the
 * REFER), or hung up on (a BYE), or left with a dead line; whether dispatch
 * kept the call's record; and how long after the fault a new call is
 * answered again (SIP probes every second).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitFor, waitForIdleWorker } from './harness/logs.ts';
import { sleep } from './harness/process.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { probeInvite, probeSdp } from './harness/sip-probe.ts';
import { startStack, type Stack } from './harness/stack.ts';

const DNIS = defaultGenesysCall.dnis;
/** How long new calls may stay broken before the case counts as not recovering. */
const RECOVERY_LIMIT_MS = 90_000;

type Fault = Readonly<{
  name: string;
  component: string;
  how: 'term' | 'kill';
  /** For `term`: how long the component may drain before SIGKILL. */
  graceMs?: number;
  cnv: string;
}>;

type Observed = Readonly<{
  call: GenesysCallReport;
  faultAt: number;
  /** Ms from the fault until a new call was answered; undefined if none was within the limit. */
  recoverMs: number | undefined;
  records: readonly Record<string, unknown>[];
}>;

const FAULTS: readonly Fault[] = [
  {
    name: 'livekit-sip drained (SIGTERM, 60 s grace) mid-call',
    component: 'sip',
    how: 'term',
    // A rolling restart's grace (the pod's terminationGracePeriodSeconds) outlasts the call.
    graceMs: 60_000,
    cnv: '7e570000-0000-4000-8000-00000000000a',
  },
  {
    name: 'livekit-sip crashed (SIGKILL) mid-call',
    component: 'sip',
    how: 'kill',
    cnv: '7e570000-0000-4000-8000-00000000000b',
  },
  {
    name: 'livekit-server crashed (SIGKILL) mid-call',
    component: 'livekit',
    how: 'kill',
    cnv: '7e570000-0000-4000-8000-00000000000c',
  },
  {
    name: 'Redis crashed (SIGKILL, no persistence) mid-call',
    component: 'redis',
    how: 'kill',
    cnv: '7e570000-0000-4000-8000-00000000000d',
  },
];

let stack: Stack;
const observed = new Map<string, Observed>();

/** Ms from `since` (epoch ms) until a fresh INVITE is answered, probing every second. */
async function untilCallsAnswered(since: number): Promise<number | undefined> {
  while (Date.now() - since < RECOVERY_LIMIT_MS) {
    const probe = await probeInvite(
      stack.ports.sip,
      {
        dnis: DNIS,
        conversationId: randomUUID(),
        sdp: probeSdp('127.0.0.1', 39992, [[0, 'PCMU/8000']]),
        holdMs: 500,
      },
      4000,
    );
    if (probe.final === 200) return Date.now() - since - (4000 - (probe.finalAtMs ?? 0));
    await sleep(1000);
  }
  return undefined;
}

async function midCall(fault: Fault): Promise<Observed> {
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-recovery.xml',
    conversationId: fault.cnv,
    speech: '',
    trailingSilenceSeconds: 60,
  });
  await waitFor(
    () =>
      readJsonLog(stack.runDir, 'agent.log').some(
        (l) => l['genesysConversationId'] === fault.cnv && l.msg === 'voice pipeline started',
      ),
    (started) => started,
    20_000,
  );
  await sleep(3000);
  const faultAt = Date.now();
  await stack.restart(fault.component, fault.how, fault.graceMs);
  const [call, recoverMs] = await Promise.all([placed, untilCallsAnswered(faultAt)]);
  const records = await callRecordsOf(stack, fault.cnv, 20_000).catch(() => []);
  await waitForIdleWorker(stack.ports.agentHealth, 30_000).catch(() => 0);
  return { call, faultAt: faultAt / 1000, recoverMs, records };
}

/** What the caller got, from the wire. */
function callerGot(o: Observed, ports: Stack['ports']): string {
  const heardAfter = o.call.rtp.some(
    (p) => p.dstPort === ports.genesysMedia && p.time > o.faultAt + 1,
  );
  if (o.call.refer) return 'the call went on; transferred on DTMF 0';
  if (o.call.byeReceived) return 'hung up on (BYE)';
  if (heardAfter) return 'stayed with the agent, but the transfer on DTMF 0 failed';
  return 'dead line: no audio, no BYE (until the caller or Genesys hangs up)';
}

/** Why the product cannot keep this call. */
const CANNOT: Readonly<Record<string, string>> = {
  sip: "livekit-sip holds the call's SIP dialog and media in memory; a crash ends them without a BYE",
  livekit: "livekit-server holds the call's room; a restart that loses it ends the call",
  redis:
    "livekit-server loses the call's participant with Redis, so the REFER is refused ('participant does not exist'); the agent keeps the caller and hands them on only when they call again",
};

/** The records dispatch kept: one per agent that served the call. */
function recordsKept(records: readonly Record<string, unknown>[]): string {
  const outcomes = records.map((r) => String(r['outcome']));
  return records.length === 1
    ? `record kept (${outcomes[0]})`
    : `${records.length} records kept, one per agent (${outcomes.join(', ')})`;
}

beforeAll(async () => {
  stack = await startStack({ slot: 4, name: 'test-restarts' });
  for (const fault of FAULTS) observed.set(fault.name, await midCall(fault));
}, 900_000);

afterAll(async () => {
  await stack?.stop();
});

describe('platform components restarted mid-call', () => {
  it.each(FAULTS.map((f) => [f.name, f] as const))(
    '%s: new calls are answered again, and the call keeps its record',
    (_name, fault) => {
      const o = observed.get(fault.name);
      expect(o).toBeDefined();
      if (!o) return;
      const kept = o.records.length > 0;
      const survived = o.call.refer !== undefined;
      reliabilityRow({
        case: fault.name,
        caller: `${callerGot(o, stack.ports)}${kept ? `; ${recordsKept(o.records)}` : ''}`,
        recoverMs: o.recoverMs,
        callsLost: survived ? 0 : 1,
        recordsLost: kept ? 0 : 1,
        ...(survived ? {} : { cannot: CANNOT[fault.component] ?? 'the call did not survive' }),
      });
      expect(o.recoverMs).toBeDefined();
      expect(kept).toBe(true);
    },
  );
});
