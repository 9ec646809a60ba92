/**
 * The spoken call through the real stack on the offline voice: sipp plays
 * Genesys and the caller says "I'd like to talk to someone about my bill".
 * PocketSphinx (persona grammar) must hear it, the rules engine must call the
 * triage persona's transfer tool, and Genesys must receive a REFER to billing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog } from './harness/logs.ts';
import { header } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';

describe('spoken request on the offline voice', () => {
  let stack: Stack;
  let call: GenesysCallReport;

  beforeAll(async () => {
    stack = await startStack({ slot: 3, name: 'test-spoken-request' });
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-spoken-request.xml',
      speech: "I'd like to talk to someone about my bill.",
      speechEngine: 'flite',
      trailingSilenceSeconds: 10,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs the offline voice and says so', () => {
    const lines = readJsonLog(stack.runDir, 'agent.log');
    expect(lines.some((l) => String(l.msg).startsWith('OFFLINE VOICE'))).toBe(true);
    const started = lines.find((l) => l.msg === 'voice pipeline started');
    expect(started).toMatchObject({
      stt: expect.stringMatching(/pocketsphinx/i),
      llm: expect.stringMatching(/rules/i),
    });
  });

  it('recognizes what the caller said', () => {
    const said = readJsonLog(stack.runDir, 'agent.log').filter((l) => l.msg === 'caller said');
    const text = said.map((l) => String(l['transcript'])).join(' ');
    // The persona grammar keeps recognition to the words its intents need.
    expect(text).toMatch(/\bbill\b/);
  });

  it('transfers the caller to the billing queue with the context in UUI', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550151@127.0.0.1:5070');
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'persona_route',
      ai_route: 'main',
      ai_cnv: defaultGenesysCall.conversationId,
    });
    expect(call.refer && header(call.refer.message, 'X-AI-Transfer-Reason')).toBe('persona_route');
    expect(call.byeReceived).toBe(true);
  });

  it('told the caller before transferring', () => {
    // Greeting plus "Let me connect you with our billing team."
    expect(call.heard.voicedMs).toBeGreaterThan(4000);
  });
});
