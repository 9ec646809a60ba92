/**
 * The cloud voice pipeline through the real stack: our agent runs with
 * VOICE_MODE=cloud on the real Deepgram, OpenAI and ElevenLabs plugins,
 * pointed at the FAKE providers (test/fakes/), and sipp plays Genesys.
 *
 * Call 1: the caller hears the greeting, says something (the fake STT
 * returns a script line), hears a reply, asks for a person, and Genesys
 * receives a REFER to the route's queue with UUI.
 * Call 2: the fake Deepgram is down (it dropped its connections and
 * refuses new ones with 503); the call's STT FallbackAdapter falls over to
 * the offline recognizer (PocketSphinx), which still hears "I'd like to talk
 * to someone about my bill", and the call is transferred to billing.
 * Call 3: Deepgram dies mid-call. It transcribes the caller's first
 * utterance, which is answered, then closes the socket and refuses to
 * reconnect. The Node plugin (agents-js 1.9.0) does not notice the close
 * (livekit/agents-js#2469, pinned in test/fakes/plugins.test.ts); our STT
 * watchdog does once the caller has spoken on for 3 s unanswered ("I'd like
 * to talk to someone about my bill", then "Hello? …"), and the offline
 * recognizer, handed the audio Deepgram missed, hears the bill sentence:
 * the call is transferred to billing.
 *
 * The exits only an LLM or a cloud transcript reaches, on the same stack:
 * Call 4: the caller says "That's not what I said." twice (the FAKE
 * Deepgram's script); the handoff policy counts the negative words and hands
 * the caller to the route's queue with reason `frustration`.
 * Call 5: the caller asks about the weather; the FAKE OpenAI answers as the
 * persona instructions ask, with a call to `escalate_to_human`, and the
 * caller goes to the route's queue with reason `out_of_scope`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFakes } from './fakes/cloud.ts';
import { callerAudio, type CallerAudio } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import { startCloudStack, type CloudStack } from './harness/cloud-stack.ts';
import { header } from './harness/sipp.ts';
import type { Stack } from './harness/stack.ts';
import {
  callerStart,
  callerTurns,
  heardBetween,
  OFFLINE_FAILOVER,
  routingFileWith,
  type CallerTurns,
} from './harness/voice-calls.ts';

/** What the fake STT "hears" on each connection, one line per utterance. */
const SCRIPT = ['I have a question about my account.', "I'd like to talk to a person."];
/** Seconds of line silence between the caller's two utterances: room for the agent's reply. */
const GAP_SECONDS = 7;

/** The agent's log lines of one call, by its Genesys conversation id. */
const agentLines = (cnv: string): LogLine[] =>
  readJsonLog(stack.runDir, 'agent.log').filter((l) => l['genesysConversationId'] === cnv);

let dir: string;
let cloud: CloudStack | undefined;
let fakes: CloudFakes;
let stack: Stack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cloud-voice-'));
  cloud = await startCloudStack({
    name: 'test-cloud-voice',
    script: SCRIPT,
    routingFile: routingFileWith(dir, 'offline-failover', (r) =>
      r.routes.forEach((route) => (route['handoff'] = OFFLINE_FAILOVER)),
    ),
  });
  ({ fakes, stack } = cloud);
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cloud voice through the real plugins, against the FAKE providers', () => {
  let first: GenesysCallReport;
  let second: GenesysCallReport;
  let third: GenesysCallReport;
  let firstTurns: CallerTurns;
  let thirdAudio: CallerAudio;
  let refusedBeforeThird: number;
  let finalsBeforeThird: number;
  const call1: GenesysCall = {
    ...defaultGenesysCall,
    scenario: 'genesys-spoken-request.xml',
    conversationId: 'c1c1c1c1-0000-4000-8000-00000000c10d',
  };
  const call2: GenesysCall = { ...call1, conversationId: 'c2c2c2c2-0000-4000-8000-00000000c10d' };
  const call3: GenesysCall = { ...call1, conversationId: 'c3c3c3c3-0000-4000-8000-00000000c10d' };

  beforeAll(async () => {
    firstTurns = callerTurns(
      dir,
      'call1',
      'Hello, I have a question about my account.',
      "I'd like to talk to a person.",
      GAP_SECONDS,
    );
    // Call 3's caller: heard, answered; then, into the dead socket, the bill
    // sentence, a pause, and enough words (about 4 s of voiced audio in all)
    // for the watchdog's 3 s.
    thirdAudio = callerAudio(dir, 'call3', [
      'Hello, I have a question about my account.',
      GAP_SECONDS - 1,
      "I'd like to talk to someone about my bill.",
      2,
      'Hello? Hello? Are you still there? Can you hear me?',
      12,
    ]);
    first = await placeGenesysCall(stack, { ...call1, audioFile: firstTurns.file });
    await waitForIdleWorker(stack.ports.agentHealth);
    fakes.deepgram.failAfter(0);
    second = await placeGenesysCall(stack, {
      ...call2,
      speech: "I'd like to talk to someone about my bill.",
      speechEngine: 'flite',
      trailingSilenceSeconds: 12,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
    fakes.deepgram.recover();
    refusedBeforeThird = fakes.counters().deepgram.refused;
    finalsBeforeThird = fakes.counters().deepgram.finals;
    // Deepgram answers the first utterance, then drops the call's socket and refuses new ones.
    fakes.deepgram.failAfter(1);
    third = await placeGenesysCall(stack, { ...call3, audioFile: thirdAudio.file });
  });

  it('runs every piece on its cloud plugin, at the fakes', () => {
    const started = readJsonLog(stack.runDir, 'agent.log').filter(
      (l) => l.msg === 'voice pipeline started',
    );
    expect(started.length).toBeGreaterThanOrEqual(2);
    const host = (url: string | undefined) => new URL(url ?? '').host;
    expect(started[0]).toMatchObject({
      stt: `deepgram/nova-3@${host(fakes.agentEnv['DEEPGRAM_BASE_URL'])}`,
      llm: expect.stringContaining(`@${host(fakes.agentEnv['OPENAI_BASE_URL'])}`),
      tts: `elevenlabs/eleven_flash_v2_5@${host(fakes.agentEnv['ELEVENLABS_BASE_URL'])}`,
    });
  });

  describe('call 1: greeting, a turn, a transfer', () => {
    it('greets the caller before they speak, and replies after their first words', () => {
      expect(first.sipp.failures).toEqual([]);
      expect(first.sipp.exitCode).toBe(0);
      const start = callerStart(stack, first);
      // "Thank you for calling. In a few words, how can I help you today?" in the fake's voice.
      expect(heardBetween(stack, first, 0, start)).toBeGreaterThan(2000);
      // "Sure. I can help with that. Could you tell me a little more?"
      const afterFirst = start + firstTurns.firstSeconds;
      expect(heardBetween(stack, first, afterFirst, afterFirst + GAP_SECONDS)).toBeGreaterThan(
        1500,
      );
    });

    it('heard the script through the real Deepgram plugin', () => {
      const said = agentLines(call1.conversationId)
        .filter((l) => l.msg === 'caller said')
        .map((l) => String(l['transcript']));
      expect(said.length).toBeGreaterThanOrEqual(2);
      expect(fakes.deepgram.transcripts()).toEqual(expect.arrayContaining(SCRIPT));
      const query = fakes.deepgram.queries()[0];
      expect(query).toMatchObject({ encoding: 'linear16', sample_rate: '8000' });
    });

    it('asked the LLM twice: a reply, then the transfer tool for the person', () => {
      const exchanges = fakes.openai.exchanges();
      const turn = exchanges.find((e) => e.said === SCRIPT[0]);
      expect(turn?.reply).toMatchObject({ kind: 'text' });
      const ask = exchanges.find((e) => e.said === SCRIPT[1]);
      expect(ask?.reply).toMatchObject({ kind: 'tool', name: 'transfer_to_queue' });
      expect(ask?.tools).toContain('transfer_to_queue');
      expect(fakes.counters().elevenlabs.contexts).toBeGreaterThanOrEqual(2);
    });

    it("REFERs the caller to the route's queue with the context in UUI", () => {
      expect(first.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
      expect(first.refer?.uuiFields).toMatchObject({
        ai_reason: 'persona_route',
        ai_route: 'main',
        ai_cnv: call1.conversationId,
      });
      expect(first.refer && header(first.refer.message, 'X-AI-Transfer-Reason')).toBe(
        'persona_route',
      );
      expect(first.byeReceived).toBe(true);
    });
  });

  describe('call 2: Deepgram is down, the offline recognizer takes over', () => {
    it('found Deepgram refusing the call and carried on offline', () => {
      const lines = agentLines(call2.conversationId);
      const failed = lines.filter(
        (l) => l.msg === 'voice provider failed; continuing on its offline stand-in',
      );
      expect(failed.map((l) => l['piece'])).toEqual(['stt']);
      expect(fakes.counters().deepgram.refused).toBeGreaterThan(0);
    });

    it('still heard the caller, through PocketSphinx, and transferred them to billing', () => {
      expect(second.sipp.failures).toEqual([]);
      expect(second.sipp.exitCode).toBe(0);
      const said = agentLines(call2.conversationId)
        .filter((l) => l.msg === 'caller said')
        .map((l) => String(l['transcript']));
      expect(said.join(' ')).toMatch(/\bbill\b/);
      expect(fakes.openai.exchanges().some((e) => /\bbill\b/.test(e.said))).toBe(true);
      expect(second.refer?.target).toBe('sip:+18005550151@127.0.0.1:5070');
      expect(second.refer?.uuiFields).toMatchObject({
        ai_reason: 'persona_route',
        ai_cnv: call2.conversationId,
      });
    });
  });

  describe('call 3: Deepgram dies mid-call, the offline recognizer takes over', () => {
    const lines = () => agentLines(call3.conversationId);
    const said = () =>
      lines()
        .filter((l) => l.msg === 'caller said')
        .map((l) => String(l['transcript']));

    it('heard the first utterance through Deepgram and answered it', () => {
      expect(third.sipp.failures).toEqual([]);
      expect(third.sipp.exitCode).toBe(0);
      expect(said()[0]).toBe(SCRIPT[0]);
      expect(fakes.counters().deepgram.finals).toBe(finalsBeforeThird + 1);
      // The reply, on the wire, between the first utterance and the bill sentence.
      const start = callerStart(stack, third);
      const [, gap = 0, bill = 0] = thirdAudio.starts;
      expect(heardBetween(stack, third, start + gap, start + bill)).toBeGreaterThan(1500);
    });

    it('noticed the deaf stream, was refused a reconnection, and carried on offline', () => {
      const msgs = lines().map((l) => l.msg);
      expect(msgs).toContain(
        'STT stream is deaf: the caller spoke and the provider answered nothing',
      );
      expect(msgs).toContain(
        'replaying the caller audio the failed STT left unanswered to the next one',
      );
      const failed = lines().filter(
        (l) => l.msg === 'voice provider failed; continuing on its offline stand-in',
      );
      expect(failed.map((l) => [l['piece'], l['provider']])).toEqual([['stt', 'deepgram.STT']]);
      expect(fakes.counters().deepgram.refused).toBeGreaterThan(refusedBeforeThird);
    });

    it('heard the sentence said into the dead socket, through PocketSphinx, and transferred to billing', () => {
      // Deepgram never heard it (its only final this call was the first script
      // line): PocketSphinx did, from the audio the watchdog kept.
      expect(said().slice(1)).toContainEqual(expect.stringMatching(/someone about my bill$/));
      expect(third.refer?.target).toBe('sip:+18005550151@127.0.0.1:5070');
      expect(third.refer?.uuiFields).toMatchObject({
        ai_reason: 'persona_route',
        ai_cnv: call3.conversationId,
      });
      expect(third.byeReceived).toBe(true);
    });
  });
});

describe('exits on the cloud voice: frustration and out of scope', () => {
  const FRUSTRATED = ["That's not what I said.", "That's not what I said."];
  const OUT_OF_SCOPE = ['What will the weather be like tomorrow?'];
  const call4: GenesysCall = {
    ...defaultGenesysCall,
    scenario: 'genesys-spoken-request.xml',
    conversationId: 'c4c4c4c4-0000-4000-8000-00000000c10d',
  };
  const call5: GenesysCall = { ...call4, conversationId: 'c5c5c5c5-0000-4000-8000-00000000c10d' };
  let fourth: GenesysCallReport;
  let fifth: GenesysCallReport;

  beforeAll(async () => {
    // What the caller says only has to be speech: the FAKE Deepgram hears its script.
    const twice = callerAudio(dir, 'call4', [FRUSTRATED[0]!, 4, FRUSTRATED[1]!, 20]);
    const once = callerAudio(dir, 'call5', [OUT_OF_SCOPE[0]!, 20]);
    await waitForIdleWorker(stack.ports.agentHealth);
    fakes.deepgram.recover();
    fakes.deepgram.useScript(FRUSTRATED);
    fourth = await placeGenesysCall(stack, { ...call4, audioFile: twice.file });
    await waitForIdleWorker(stack.ports.agentHealth);
    fakes.deepgram.useScript(OUT_OF_SCOPE);
    fifth = await placeGenesysCall(stack, { ...call5, audioFile: once.file });
  });

  it('hands a caller who twice says "that\'s not what I said" to the queue with reason "frustration"', () => {
    expect(fourth.sipp.failures).toEqual([]);
    expect(fourth.sipp.exitCode).toBe(0);
    expect(fourth.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(fourth.refer?.uuiFields).toMatchObject({
      ai_reason: 'frustration',
      ai_route: 'main',
      ai_cnv: call4.conversationId,
    });
    expect(fourth.refer && header(fourth.refer.message, 'X-AI-Transfer-Reason')).toBe(
      'frustration',
    );
    const policy = agentLines(call4.conversationId).filter(
      (l) => l.msg === 'handoff policy triggered',
    );
    expect(policy.map((l) => [l['reason'], l['detail']])).toEqual([
      ['frustration', 'negative words'],
    ]);
    // The LLM only ever replied: the policy, not the persona, transferred.
    const replies = fakes.openai
      .exchanges()
      .filter((e) => e.said === FRUSTRATED[0])
      .map((e) => e.reply.kind);
    expect(replies.length).toBeGreaterThanOrEqual(1);
    expect(replies.every((kind) => kind === 'text')).toBe(true);
  });

  it('escalates an out-of-scope request through the persona\'s escalate_to_human, reason "out_of_scope"', () => {
    expect(fifth.sipp.failures).toEqual([]);
    expect(fifth.sipp.exitCode).toBe(0);
    const ask = fakes.openai.exchanges().find((e) => e.said === OUT_OF_SCOPE[0]);
    expect(ask?.reply).toMatchObject({ kind: 'tool', name: 'escalate_to_human' });
    expect(fifth.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(fifth.refer?.uuiFields).toMatchObject({
      ai_reason: 'out_of_scope',
      ai_route: 'main',
      ai_cnv: call5.conversationId,
    });
    expect(fifth.refer && header(fifth.refer.message, 'X-AI-Transfer-Reason')).toBe('out_of_scope');
    expect(fifth.byeReceived).toBe(true);
  });
});
