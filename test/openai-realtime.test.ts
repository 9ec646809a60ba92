/**
 * A persona on a speech-to-speech model, through the real stack: the agent's
 * triage persona runs on the OpenAI Realtime API (`OPENAI_REALTIME_BASE_URL`,
 * no key, as a self-hosted server takes it), the real
 * `@livekit/agents-plugin-openai` RealtimeModel against the FAKE Realtime
 * WebSocket (test/fakes/openai-realtime.ts). The STT (the FAKE's
 * transcription endpoint) still hears every turn, and the pipeline's LLM and
 * TTS stand by. The fake never calls a tool: a transfer is the product's own
 * policy acting on the transcript, outside the model.
 *
 * Call 1: the greeting, a turn the realtime model answers in its own voice
 * (the chat LLM never asked), then a request for a person: the policy
 * REFERs the caller to the route's queue with `caller_request`.
 * Call 3: the realtime server refuses connections (503); the route's policy
 * (`transfer`, the default) hands the caller on with `provider_failure`
 * after the apology, and the job process lives through it.
 * Call 4: the same outage on a route whose policy is `offline_voice`: the call
 * carries on with the pipeline (the chat LLM answers the caller's turn) and
 * the persona routes the request for a person itself.
 * Call 2 (the server answering again): the caller speaks, then presses 0:
 * the REFER carries `dtmf_zero`.
 * Call 5: the FAKE model calls tools now: the caller's request for a person
 * reaches the persona's transfer tool through the model, and the REFER
 * carries `persona_route`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudFakes, type CloudFakes } from './fakes/cloud.ts';
import { generatePhoneAudio } from './harness/audio.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import { header } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';
import {
  callerStart,
  callerTurns,
  heardBetween,
  OFFLINE_FAILOVER,
  openAiCompatibleEnv,
  routingFileWith,
} from './harness/voice-calls.ts';

const QUESTION = 'Hello, I have a question about my account.';
const PERSON = "I'd like to talk to a person.";
/**
 * What the transcription endpoint hears, utterance by utterance, across the
 * calls in the order placed: 1, 3 (silent), 4, then 2 (whose words may or
 * may not be transcribed before its 0 ends the call) and 5 (past the script:
 * the fallback line, no request for a person). The FAKE Realtime numbers
 * from the start in each session: in calls 1 and 5 it hears the question,
 * then the request for a person.
 */
const SCRIPT = [QUESTION, PERSON, QUESTION, PERSON];
// Room for the reply after an end-of-turn wait at its 3 s maximum (docs/benchmark.md).
const GAP_SECONDS = 9;
const CARRY_ON_DNIS = '+18005550109';

/** The agent's environment: STT, TTS and the standing-by LLM on the fake, triage on the realtime model. */
function realtimeEnv(fakes: CloudFakes): Record<string, string> {
  return {
    ...openAiCompatibleEnv(fakes),
    OPENAI_REALTIME_BASE_URL: fakes.openai.url,
    OPENAI_REALTIME_MODEL: 'fake-realtime',
    OPENAI_REALTIME_PERSONAS: 'triage',
  };
}

/** The default routing, plus a route on another number whose policy carries on with the pipeline. */
const routingWithCarryOnRoute = (dir: string) =>
  routingFileWith(dir, 'realtime', (r) =>
    r.routes.push({
      name: 'carry-on',
      numbers: [CARRY_ON_DNIS],
      persona: 'triage',
      humanQueue: 'general',
      handoff: OFFLINE_FAILOVER,
    }),
  );

/** The question, a gap, then the request for a person. */
const twoTurns = (dir: string, name: string) =>
  callerTurns(dir, name, QUESTION, PERSON, GAP_SECONDS);

let dir: string;
let fakes: CloudFakes | undefined;
let stack: Stack | undefined;

const call = (n: number, extra: Partial<GenesysCall> = {}): GenesysCall => ({
  ...defaultGenesysCall,
  scenario: 'genesys-spoken-request.xml',
  conversationId: `0b${n}b${n}b${n}b-0000-4000-8000-00000000b0d1`,
  ...extra,
});
const call1 = call(1);
const call2: GenesysCall = {
  ...call(2),
  scenario: defaultGenesysCall.scenario,
  speech: QUESTION,
  speechEngine: 'flite',
};
// A caller handed on at once: the REFER may come before they say anything.
const call3 = call(3, { scenario: 'genesys-caller-handed-on.xml' });
const call4 = call(4, { dnis: CARRY_ON_DNIS });
const call5 = call(5);

const reports: Record<1 | 2 | 3 | 4 | 5, GenesysCallReport> = {} as never;
let firstSeconds = 0;
let call4Seconds = 0;
let chatBefore3 = 0;
let chatBefore4 = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openai-realtime-'));
  fakes = await startCloudFakes({ profile: 'zero', script: SCRIPT });
  stack = await startStack({
    slot: 6,
    name: 'test-openai-realtime',
    agentEnv: realtimeEnv(fakes),
    routingFile: routingWithCarryOnRoute(dir),
  });
  const turns = twoTurns(dir, 'call1');
  firstSeconds = turns.firstSeconds;
  reports[1] = await placeGenesysCall(stack, { ...call1, audioFile: turns.file });
  await waitForIdleWorker(stack.ports.agentHealth);

  fakes.openai.realtime.failWith(503);
  chatBefore3 = fakes.openai.exchanges().length;
  const silence = join(dir, 'call3.wav');
  generatePhoneAudio(silence, ['trim', '0', '5']);
  reports[3] = await placeGenesysCall(stack, { ...call3, audioFile: silence });
  await waitForIdleWorker(stack.ports.agentHealth);

  chatBefore4 = fakes.openai.exchanges().length;
  const turns4 = twoTurns(dir, 'call4');
  call4Seconds = turns4.firstSeconds;
  reports[4] = await placeGenesysCall(stack, { ...call4, audioFile: turns4.file });
  await waitForIdleWorker(stack.ports.agentHealth);

  fakes.openai.realtime.failWith(undefined);
  reports[2] = await placeGenesysCall(stack, call2);
  await waitForIdleWorker(stack.ports.agentHealth);

  fakes.openai.realtime.useTools(true);
  reports[5] = await placeGenesysCall(stack, {
    ...call5,
    audioFile: twoTurns(dir, 'call5').file,
  });
});

afterAll(async () => {
  await stack?.stop();
  await fakes?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const agentLines = (cnv: string): LogLine[] =>
  readJsonLog(stack!.runDir, 'agent.log').filter((l) => l['genesysConversationId'] === cnv);

describe('a persona on the OpenAI Realtime API (FAKE), on the real stack', () => {
  it('runs the call on the realtime model at the configured server, the STT beside it', () => {
    const started = agentLines(call1.conversationId).find(
      (l) => l.msg === 'voice pipeline started',
    );
    const host = new URL(fakes!.openai.url).host;
    expect(started).toMatchObject({
      stt: `openai/fake-whisper-small.en@${host}`,
      llm: `openai-realtime/fake-realtime@${host}`,
    });
    const updates = fakes!.openai.realtime.sessionUpdates();
    expect(updates[0]).toMatchObject({ model: 'fake-realtime' });
    // The persona's instructions, with the escalation rule every persona gets.
    expect(updates.map((u) => String(u['instructions'] ?? ''))).toEqual(
      expect.arrayContaining([expect.stringContaining('escalate_to_human')]),
    );
  });

  it('greets, and the realtime model answers the first turn in its own voice', () => {
    const first = reports[1];
    expect(first.sipp.failures).toEqual([]);
    const start = callerStart(stack!, first);
    expect(heardBetween(stack!, first, 0, start)).toBeGreaterThan(2000);
    const afterFirst = start + firstSeconds;
    expect(heardBetween(stack!, first, afterFirst, afterFirst + GAP_SECONDS)).toBeGreaterThan(1500);
    // The model heard the caller's words: the first commit carries over a second of speech.
    const [turn] = fakes!.openai.realtime.turns();
    expect(turn?.voicedMs).toBeGreaterThan(1000);
    expect(fakes!.counters().openai.realtime.responses).toBeGreaterThanOrEqual(1);
    // The pipeline's LLM stood by: no chat request answered a caller before the outage.
    expect(chatBefore3).toBe(0);
  });

  it('hands a caller who asks for a person to the queue by policy, with UUI, and keeps the record', async () => {
    const first = reports[1];
    expect(first.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(first.refer?.uuiFields).toMatchObject({
      ai_reason: 'caller_request',
      ai_cnv: call1.conversationId,
    });
    const [record] = await callRecordsOf(stack!, call1.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'caller_request' });
    // The turn the model answered is measured like a pipeline turn: caller stops → agent audio.
    expect(record?.['latency']).toMatchObject({
      turns: expect.any(Number),
      p50Ms: expect.any(Number),
    });
    const latency = record?.['latency'] as { turns: number; p50Ms: number };
    expect(latency.turns).toBeGreaterThanOrEqual(1);
    expect(latency.p50Ms).toBeLessThan(5000);
    const said = agentLines(call1.conversationId).filter((l) => l.msg === 'caller said');
    expect(said.length).toBeGreaterThanOrEqual(2);
  });

  it('transfers on DTMF 0', async () => {
    const second = reports[2];
    expect(second.digitsSent).toBe(true);
    expect(second.refer && header(second.refer.message, 'X-AI-Transfer-Reason')).toBe('dtmf_zero');
    expect(second.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero' });
    const [record] = await callRecordsOf(stack!, call2.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'dtmf_zero' });
  });

  it('hands the caller on with provider_failure when the realtime server refuses, after the apology', async () => {
    const third = reports[3];
    expect(third.sipp.failures).toEqual([]);
    expect(fakes!.counters().openai.realtime.refused).toBeGreaterThan(0);
    expect(third.refer?.uuiFields).toMatchObject({ ai_reason: 'provider_failure' });
    const failed = agentLines(call3.conversationId).filter(
      (l) => l.msg === 'voice provider failed; handing the caller to a human',
    );
    expect(failed.map((l) => l['provider'])).toEqual([
      `openai-realtime/fake-realtime@${new URL(fakes!.openai.url).host}`,
    ]);
    const referAt = third.refer?.message.time ?? 0;
    expect(heardBetween(stack!, third, callerStart(stack!, third), referAt)).toBeGreaterThan(1000);
    const [record] = await callRecordsOf(stack!, call3.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'provider_failure' });
    // The refused upgrade did not take the job process down with the call.
    const crashes = readJsonLog(stack!.runDir, 'agent.log').filter((l) =>
      /unexpected server response|uncaught/i.test(String(l.msg)),
    );
    expect(crashes).toEqual([]);
  });

  it('carries on with the pipeline where the policy says offline_voice', async () => {
    const fourth = reports[4];
    expect(fourth.sipp.failures).toEqual([]);
    const carried = agentLines(call4.conversationId).filter(
      (l) => l.msg === 'voice provider failed; continuing on its offline stand-in',
    );
    expect(carried.length).toBe(1);
    const asked = fakes!.openai.exchanges().slice(chatBefore4);
    expect(asked.map((e) => e.said)).toEqual(expect.arrayContaining([QUESTION]));
    const start = callerStart(stack!, fourth);
    const afterFirst = start + call4Seconds;
    expect(heardBetween(stack!, fourth, afterFirst, afterFirst + GAP_SECONDS)).toBeGreaterThan(
      1500,
    );
    expect(fourth.refer?.uuiFields).toMatchObject({ ai_reason: 'persona_route' });
    const [record] = await callRecordsOf(stack!, call4.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'persona_route' });
  });

  it("routes a caller through the persona's transfer tool when the model calls it", async () => {
    const fifth = reports[5];
    expect(fifth.sipp.failures).toEqual([]);
    expect(fakes!.counters().openai.realtime.toolCalls).toBeGreaterThanOrEqual(1);
    expect(fifth.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(fifth.refer?.uuiFields).toMatchObject({
      ai_reason: 'persona_route',
      ai_cnv: call5.conversationId,
    });
    const [record] = await callRecordsOf(stack!, call5.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'persona_route' });
  });
});
