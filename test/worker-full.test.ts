/**
 * A worker at its call limit, on the real stack: a trunk that hands callers
 * no agent takes to the queue (test/fixtures/routing-worker-full.yaml:
 * whenNoAgent: queue, ringTimeoutSeconds: 3), one worker that takes one call
 * (AGENT_MAX_CALLS=1) on the offline voice, and three callers ringing half a
 * second apart, each a sipp caller speaking the benchmark's script as RTP
 * (bench/load). One caller gets the agent; the worker takes no second call
 * while it talks, so dispatch answers the others and REFERs them to the
 * queue. Judged from the wire and from dispatch's records and metrics.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAND_ON_GRACE_SECONDS } from '../contracts/hand-on.ts';
import { burst } from '../bench/load/arrivals.ts';
import type { LoadRunArtifacts } from '../bench/load/artifacts.ts';
import { runLoad } from '../bench/load/run-callers.ts';
import { OFFLINE_SCRIPT } from '../bench/load/scripts.ts';
import type { CallMeasurement } from '../bench/measurements.ts';
import { waitForQuietHost } from '../bench/resources/quiet-host.ts';
import { analyzeRun } from '../bench/wire/analyze.ts';
import { callRecordsOf, dispatchMetrics } from './harness/dispatch-records.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const RING_TIMEOUT_S = 3;
const CALLERS = 3;

let stack: Stack;
let artifacts: LoadRunArtifacts;
let calls: readonly CallMeasurement[];

beforeAll(async () => {
  stack = await startStack({
    slot: 3,
    name: 'test-worker-full',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-worker-full.yaml'),
    agentEnv: { VOICE_MODE: 'offline', AGENT_MAX_CALLS: '1', AGENT_WARM_PROCESSES: '1' },
  });
  // The warm job process has started: the first caller meets a ready worker.
  await waitForQuietHost();
  artifacts = await runLoad({
    stack,
    arrivals: burst(CALLERS, 2),
    script: OFFLINE_SCRIPT,
    workDir: join(stack.runDir, 'callers'),
    // The caller's own patience: far past the trunk's, so only the product decides.
    ringTimeoutSeconds: 30,
  });
  calls = analyzeRun(artifacts);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const agentCalls = () =>
  calls.filter((c) => c.outcome === 'transferred' || c.outcome === 'completed');
const handedOn = () => calls.filter((c) => c.outcome === 'handed_on');

describe('three callers at once for a worker that takes one call', () => {
  it('answers every caller, by the agent or by the queue; none refused, lost or left ringing', () => {
    expect(calls).toHaveLength(CALLERS);
    expect(calls.map((c) => c.warnings)).toEqual(calls.map(() => []));
    for (const c of calls) {
      expect(c.outcome).toMatch(/^(transferred|completed|handed_on)$/);
      expect(c.answerMs).toBeLessThan((RING_TIMEOUT_S + HAND_ON_GRACE_SECONDS) * 1000);
    }
  });

  it('gives the agent the first of them, and hands the others to the queue', () => {
    // The calls overlap (the script runs for tens of seconds): one at a time is the limit.
    expect(agentCalls().map((c) => c.id)).toEqual(['caller-000']);
    expect(handedOn()).toHaveLength(CALLERS - 1);
    // The agent's caller was talked to: replies reached it as RTP.
    expect(agentCalls()[0]?.turns.length).toBeGreaterThan(0);
  });

  it('keeps one record per caller: the agent call with its job, the others handed on for no agent', async () => {
    for (const caller of artifacts.callers) {
      expect(caller.conversationId, caller.id).toBeDefined();
      const records = await callRecordsOf(stack, caller.conversationId ?? '');
      expect(records, caller.id).toHaveLength(1);
      if (calls.find((c) => c.id === caller.id)?.outcome === 'handed_on')
        expect(records[0]).toMatchObject({
          route: 'overflow',
          jobId: 'none',
          outcome: 'transferred',
          escalationReason: 'no_agent',
        });
      else expect(records[0]?.['jobId']).not.toBe('none');
    }
  });

  it("counts the callers handed on in dispatch's metrics", async () => {
    expect(await dispatchMetrics(stack)).toMatch(
      new RegExp(
        `^gva_dispatch_handed_on_calls_total\\{route="overflow",result="transferred"\\} ${handedOn().length}$`,
        'm',
      ),
    );
  });
});
