/**
 * A worker dies mid-call on the real stack: the agent's job process is
 * SIGKILLed while it talks to the caller. LiveKit tells dispatch (webhook)
 * that the agent left a call it had not decided; dispatch sends a new agent,
 * which apologizes and carries on; the caller then presses 0 and is
 * transferred, by the new agent, with the call's context.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitFor, type LogLine } from './harness/logs.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { startStack, type Stack } from './harness/stack.ts';

const CNV = '7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b';

let stack: Stack;
let call: GenesysCallReport;
let killedAt = 0;
let killedPid = 0;

const agentLines = () =>
  readJsonLog(stack.runDir, 'agent.log').filter((l) => l['genesysConversationId'] === CNV);

beforeAll(async () => {
  stack = await startStack({ slot: 4, name: 'test-recovery' });
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-recovery.xml',
    conversationId: CNV,
    speech: '',
    trailingSilenceSeconds: 60,
  });
  const started = await waitFor(
    () => agentLines().find((l) => l.msg === 'voice pipeline started'),
    (line) => line !== undefined,
    20_000,
  );
  if (!started) throw new Error('the first agent never started its voice pipeline');
  // Let the greeting begin, then kill the job process as the OOM killer would.
  await new Promise((r) => setTimeout(r, 2000));
  killedPid = Number(started['pid']);
  killedAt = Date.now() / 1000;
  process.kill(killedPid, 'SIGKILL');
  call = await placed;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('recovery when a worker dies mid-call', () => {
  it('has dispatch send a new agent to the call', () => {
    const recovered = readJsonLog(stack.runDir, 'dispatch.log').filter(
      (l) => l.msg === 'agent left a call undecided; sending a new agent',
    );
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ route: 'main', attempt: 1 });
    const takeover = agentLines().find((l) => l.msg === 'taking over a call whose agent failed');
    expect(takeover).toMatchObject({ attempt: 1 });
    expect(Number(takeover?.['pid'])).not.toBe(killedPid);
    const seconds = Number(takeover?.['time']) / 1000 - killedAt;
    console.log(`recovery: kill → new agent answering the call took ${seconds.toFixed(2)} s`);
  });

  it('lets the caller hear the new agent apologize', () => {
    const dtmfAt = killedAt + 20;
    const heard = call.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > killedAt + 0.5 && p.time < dtmfAt,
    );
    // "I am sorry, we were cut off for a moment..." (~5 s)
    expect(audioStats(pcmuAudio(heard)).voicedMs).toBeGreaterThan(2000);
  });

  it('completes the call through the new agent: DTMF 0 → REFER with the context', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero', ai_cnv: CNV });
    expect(call.byeReceived).toBe(true);
    const answered: LogLine[] = agentLines().filter((l) => l.msg === 'call answered');
    expect(answered).toHaveLength(2);
  });
});
