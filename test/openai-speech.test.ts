/**
 * Speech kept in the customer's network: the agent's STT and TTS on an
 * OpenAI-compatible audio API (`OPENAI_STT_BASE_URL`, `OPENAI_TTS_BASE_URL`,
 * no key, as a self-hosted server takes them), the LLM on an
 * OpenAI-compatible chat API, no Deepgram and no ElevenLabs. The real
 * `@livekit/agents-plugin-openai` STT and TTS run against the FAKE OpenAI's
 * audio endpoints (test/fakes/openai-audio.ts) on the real stack.
 *
 * Call 1: the caller hears the greeting (synthesized by the speech
 * endpoint), says a line (transcribed by the transcription endpoint), hears
 * the reply, asks for a person, and Genesys receives the REFER to the
 * route's queue; dispatch keeps the call's record.
 * Call 2: the caller speaks, then presses 0: the REFER carries `dtmf_zero`.
 * Call 3: the transcription server is down (503); the route's policy
 * (`offline_voice`) carries the call on: PocketSphinx takes over and hears
 * the sentence the failed server never answered, and the caller is routed
 * to billing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudFakes, type CloudFakes } from './fakes/cloud.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker } from './harness/logs.ts';
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

const SCRIPT = ['I have a question about my account.', "I'd like to talk to a person."];
/** What call 1's caller says: the script's two lines, the first as a greeting-sized sentence. */
const SCRIPT_SAID = [
  'Hello, I have a question about my account.',
  "I'd like to talk to a person.",
] as const;
// Room for the reply after an end-of-turn wait at its 3 s maximum (docs/benchmark.md).
const GAP_SECONDS = 9;

let dir: string;
let fakes: CloudFakes | undefined;
let stack: Stack | undefined;

const call1: GenesysCall = {
  ...defaultGenesysCall,
  scenario: 'genesys-spoken-request.xml',
  conversationId: '0a1a1a1a-0000-4000-8000-00000000a0d1',
};
const call2: GenesysCall = {
  ...defaultGenesysCall,
  conversationId: '0a2a2a2a-0000-4000-8000-00000000a0d1',
  speech: 'Hello, I have a question about my account.',
  speechEngine: 'flite',
};

const call3: GenesysCall = {
  ...defaultGenesysCall,
  scenario: 'genesys-spoken-request.xml',
  conversationId: '0a3a3a3a-0000-4000-8000-00000000a0d1',
  speech: "I'd like to talk to someone about my bill.",
  speechEngine: 'flite',
  trailingSilenceSeconds: 15,
};

let first: GenesysCallReport;
let second: GenesysCallReport;
let third: GenesysCallReport;
let firstSeconds: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openai-speech-'));
  fakes = await startCloudFakes({ profile: 'zero', script: SCRIPT });
  stack = await startStack({
    slot: 6,
    name: 'test-openai-speech',
    agentEnv: openAiCompatibleEnv(fakes),
    routingFile: routingFileWith(dir, 'offline-failover', (r) =>
      r.routes.forEach((route) => (route['handoff'] = OFFLINE_FAILOVER)),
    ),
  });
  const turns = callerTurns(dir, 'call1', ...SCRIPT_SAID, GAP_SECONDS);
  firstSeconds = turns.firstSeconds;
  first = await placeGenesysCall(stack, { ...call1, audioFile: turns.file });
  await waitForIdleWorker(stack.ports.agentHealth);
  second = await placeGenesysCall(stack, call2);
  await waitForIdleWorker(stack.ports.agentHealth);
  fakes.openai.failTranscriptions(503);
  third = await placeGenesysCall(stack, call3);
});

afterAll(async () => {
  await stack?.stop();
  await fakes?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('STT and TTS on an OpenAI-compatible audio API (no key), on the real stack', () => {
  it('runs STT and TTS on the OpenAI plugin at the configured server', () => {
    const started = readJsonLog(stack!.runDir, 'agent.log').find(
      (l) => l.msg === 'voice pipeline started',
    );
    const host = new URL(fakes!.openai.url).host;
    expect(started).toMatchObject({
      stt: `openai/fake-whisper-small.en@${host}`,
      tts: `openai/fake-kokoro@${host}`,
    });
  });

  it('greets with the speech endpoint, hears the caller through the transcription endpoint, and replies', () => {
    expect(first.sipp.failures).toEqual([]);
    const start = callerStart(stack!, first);
    expect(heardBetween(stack!, first, 0, start)).toBeGreaterThan(2000);
    const afterFirst = start + firstSeconds;
    expect(heardBetween(stack!, first, afterFirst, afterFirst + GAP_SECONDS)).toBeGreaterThan(1500);
    const audio = fakes!.counters().openai.audio;
    expect(audio.speechRequests).toBeGreaterThanOrEqual(2);
    expect(fakes!.openai.transcripts()).toEqual(expect.arrayContaining(SCRIPT));
    const turn = fakes!.openai.exchanges().find((e) => e.said === SCRIPT[0]);
    expect(turn?.reply).toMatchObject({ kind: 'text' });
  });

  it("REFERs the caller who asked for a person to the route's queue, with UUI, and keeps the record", async () => {
    expect(first.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(first.refer?.uuiFields).toMatchObject({
      ai_reason: 'persona_route',
      ai_cnv: call1.conversationId,
    });
    const [record] = await callRecordsOf(stack!, call1.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'persona_route' });
  });

  it('transfers on DTMF 0', async () => {
    expect(second.digitsSent).toBe(true);
    expect(second.refer && header(second.refer.message, 'X-AI-Transfer-Reason')).toBe('dtmf_zero');
    expect(second.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero' });
    const [record] = await callRecordsOf(stack!, call2.conversationId);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'dtmf_zero' });
  });

  it('carries on with PocketSphinx when the transcription server is down, and it hears the sentence the server never answered', () => {
    expect(third.sipp.failures).toEqual([]);
    const lines = readJsonLog(stack!.runDir, 'agent.log').filter(
      (l) => l['genesysConversationId'] === call3.conversationId,
    );
    const carried = lines.filter(
      (l) => l.msg === 'voice provider failed; continuing on its offline stand-in',
    );
    expect(carried.map((l) => l['piece'])).toEqual(['stt']);
    expect(fakes!.counters().openai.audio.failedTranscriptions).toBeGreaterThanOrEqual(2);
    const said = lines.filter((l) => l.msg === 'caller said').map((l) => String(l['transcript']));
    expect(said).toContainEqual(expect.stringMatching(/someone about my bill$/));
    expect(third.refer?.target).toBe('sip:+18005550151@127.0.0.1:5070');
    expect(third.refer?.uuiFields).toMatchObject({ ai_reason: 'persona_route' });
  });
});
