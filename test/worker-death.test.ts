/**
 * A whole worker dies mid-call, as when its pod is lost: the worker's main
 * process and every job process are SIGKILLed at once, while a second
 * worker runs. Nothing is left to tell LiveKit, which would keep the dead
 * agent in the room until its peer connection times out (about 20 s of
 * silence). The dead worker's lease with dispatch lapses instead
 * (contracts/worker-lease.ts); dispatch removes its agent from the room and
 * sends a replacement, which the second worker runs: the caller hears the
 * apology within seconds, then presses 0 and is transferred with the call's
 * context.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitFor, type LogLine } from './harness/logs.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { startStack, type Stack } from './harness/stack.ts';

const CNV = '4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f';
const WORKERS = ['agent', 'agent-2'] as const;

let stack: Stack;
let call: GenesysCallReport;
let killedAt = 0;
let killed: (typeof WORKERS)[number] = 'agent';

const linesOf = (worker: string): LogLine[] =>
  readJsonLog(stack.runDir, `${worker}.log`).filter((l) => l['genesysConversationId'] === CNV);

beforeAll(async () => {
  stack = await startStack({ slot: 8, name: 'test-worker-death', agentWorkers: 2 });
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-recovery.xml',
    conversationId: CNV,
    speech: '',
    trailingSilenceSeconds: 60,
  });
  const started = await waitFor(
    () => WORKERS.find((w) => linesOf(w).some((l) => l.msg === 'voice pipeline started')),
    (worker) => worker !== undefined,
    20_000,
  );
  if (!started) throw new Error('no worker started the call');
  killed = started;
  // Let the greeting begin, then lose the whole worker at once.
  await new Promise((r) => setTimeout(r, 2000));
  killedAt = Date.now() / 1000;
  stack.processes.get(killed)?.signal('SIGKILL');
  call = await placed;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a whole worker lost mid-call, a second one running', () => {
  it('has the second worker take the call over, sent by dispatch on the lapsed lease', () => {
    const survivor = WORKERS.find((w) => w !== killed) ?? 'agent-2';
    expect(linesOf(survivor).some((l) => l.msg === 'taking over a call whose agent failed')).toBe(
      true,
    );
    const dispatchLines = readJsonLog(stack.runDir, 'dispatch.log');
    expect(
      dispatchLines.some(
        (l) =>
          l.msg === 'a worker stopped renewing its lease; removing its agents from their calls',
      ),
    ).toBe(true);
  });

  it('lets the caller hear the new agent within seconds, not after LiveKit’s 20 s timeout', () => {
    const toCaller = call.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > killedAt + 0.5,
    );
    // The first 100 ms of voice after the kill: the replacement's apology.
    let back: number | undefined;
    for (let i = 0; i + 5 <= toCaller.length; i++) {
      if (audioStats(pcmuAudio(toCaller.slice(i, i + 5))).voicedMs >= 100) {
        back = toCaller[i]?.time;
        break;
      }
    }
    expect(back).toBeDefined();
    const silentS = (back ?? Infinity) - killedAt;
    expect(silentS).toBeLessThan(12);
    reliabilityRow({
      case: 'whole worker killed mid-call (pod lost), a second worker running',
      caller: `silence for ${silentS.toFixed(1)} s, then the replacement agent's apology; transferred on DTMF 0`,
      recoverMs: Math.round(silentS * 1000),
      callsLost: 0,
      recordsLost: 0,
    });
  });

  it('completes the call through the new agent, and keeps its record', async () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero', ai_cnv: CNV });
    const records = await callRecordsOf(stack, CNV);
    expect(records.some((r) => r['outcome'] === 'transferred')).toBe(true);
  });
});
