/**
 * A cloud provider failing mid-call, through the real stack: the agent runs
 * with OpenAI configured, pointed at a FAKE OpenAI that answers 500 (an
 * outage). When the caller speaks, the LLM fails past its retries; the
 * handoff policy (providerFailure.then: transfer, the default) must hand the
 * caller to the route's queue with reason provider_failure, after an apology
 * recorded at call start with the offline voice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import { startFakeOpenAi, type FakeOpenAi } from './harness/fake-openai.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog } from './harness/logs.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { startStack, type Stack } from './harness/stack.ts';

describe('cloud LLM outage mid-call', () => {
  let openai: FakeOpenAi;
  let stack: Stack;
  let call: GenesysCallReport;

  beforeAll(async () => {
    openai = await startFakeOpenAi(500);
    stack = await startStack({
      slot: 7,
      name: 'test-provider-failure',
      agentEnv: {
        OPENAI_API_KEY: 'test-fake-key',
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'gpt-test',
      },
    });
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-spoken-request.xml',
      speech: "I'd like to talk to someone about my bill.",
      speechEngine: 'flite',
      trailingSilenceSeconds: 20,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await openai?.close();
  });

  it('asked the cloud LLM, which failed', () => {
    expect(openai.requests.length).toBeGreaterThan(0);
    const failed = readJsonLog(stack.runDir, 'agent.log').filter(
      (l) => l.msg === 'voice provider failed; handing the caller to a human',
    );
    expect(failed.map((l) => l['failed'])).toEqual(['llm']);
  });

  it('hands the caller to the route queue with reason provider_failure, and only that', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'provider_failure' });
    const transfers = readJsonLog(stack.runDir, 'agent.log').filter(
      (l) => l.msg === 'transferring caller to a human',
    );
    // The offline rules engine would have sent this caller to billing: it must not also try.
    expect(transfers.map((l) => l['reason'])).toEqual(['provider_failure']);
  });

  it('apologized before the REFER', () => {
    // From the agent's decision, not the first LLM request (the prewarm, while the greeting plays).
    const decided = readJsonLog(stack.runDir, 'agent.log').find(
      (l) => l.msg === 'voice provider failed; handing the caller to a human',
    );
    const failedAt = Number(decided?.['time'] ?? Infinity) / 1000;
    const referAt = call.refer?.message.time ?? 0;
    const between = call.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > failedAt && p.time < referAt,
    );
    // "I am sorry, I am having technical trouble. Let me connect you with a colleague." (~4 s)
    expect(audioStats(pcmuAudio(between)).voicedMs).toBeGreaterThan(2500);
  });
});
