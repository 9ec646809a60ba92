/**
 * Voice providers that stall without an error, through the real stack: the
 * agent runs the real Deepgram, OpenAI and ElevenLabs plugins against the
 * FAKE providers (test/fakes/), which accept the connection and then go
 * quiet. The route keeps the default provider-failure policy (hand the
 * caller to the queue), so each stall must end in an apology and a REFER
 * with reason `provider_failure`, after a bounded silence, never dead air.
 *
 * Call 1: the LLM never sends its first token (the FallbackAdapter's 4 s
 * attempt timeout). Call 2: the TTS stops mid-sentence, the socket open and
 * no `isFinal` (tts-watchdog.ts, 2.5 s). Call 3: the STT takes the caller's
 * audio and answers nothing, as the caller keeps talking (stt-watchdog.ts,
 * 3 s of unanswered speech per connection, one reconnection).
 *
 * "Dead air" is judged from the wire: the longest stretch, between the end
 * of the caller's first sentence and the REFER, in which neither side is
 * heard.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFakes } from './fakes/cloud.ts';
import { REPLIES } from './fakes/openai-replies.ts';
import { audioStats, callerAudio } from './harness/audio.ts';
import { startCloudStack, type CloudStack } from './harness/cloud-stack.ts';
import { lastVoicedFrom, longestDeadAir } from './harness/dead-air.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker } from './harness/logs.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import type { Stack } from './harness/stack.ts';

/** What the fake STT hears: every utterance is a question the fake LLM answers in words. */
const SCRIPT = ['I have a question about my account.'];
/** Seconds the caller listens to the greeting before speaking. */
const GREETING_SECONDS = 5;
/** Seconds the caller waits, silent, for an answer after the first sentence. */
const WAIT_SECONDS = 16;
/** Dead air a caller can take while the product notices a stall (a timeout, then the apology). */
const DEAD_AIR_LIMIT_MS = 7000;

let dir: string;
let cloud: CloudStack | undefined;
let fakes: CloudFakes;
let stack: Stack;

type Stalled = Readonly<{
  call: GenesysCallReport;
  cnv: string;
  /** When the caller's first sentence ended on the wire (epoch s). */
  spokeAt: number;
  deadAirMs: number;
}>;

const call = (cnv: string): GenesysCall => ({
  ...defaultGenesysCall,
  scenario: 'genesys-spoken-request.xml',
  conversationId: cnv,
});

async function stalledCall(cnv: string, audioFile: string, firstSeconds: number): Promise<Stalled> {
  const report = await placeGenesysCall(stack, { ...call(cnv), audioFile });
  const fromCaller = report.rtp.filter((p) => p.srcPort === stack.ports.genesysMedia);
  const startedAt = fromCaller[0]?.time ?? 0;
  const spokeAt =
    lastVoicedFrom(report.rtp, stack.ports.genesysMedia, startedAt + firstSeconds + 0.2) ??
    startedAt;
  const referAt = report.refer?.message.time ?? Infinity;
  const deadAir = longestDeadAir(report.rtp, spokeAt, Math.min(referAt, spokeAt + 60));
  await waitForIdleWorker(stack.ports.agentHealth);
  return { call: report, cnv, spokeAt, deadAirMs: deadAir.longestMs };
}

/** The agent's log lines of one call. */
const linesOf = (cnv: string) =>
  readJsonLog(stack.runDir, 'agent.log').filter((l) => l['genesysConversationId'] === cnv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provider-stall-'));
  cloud = await startCloudStack({ name: 'test-provider-stall', script: SCRIPT, slot: 5 });
  ({ fakes, stack } = cloud);
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('voice providers that stall without an error', () => {
  const cases: Record<'llm' | 'tts' | 'stt', Stalled | undefined> = {
    llm: undefined,
    tts: undefined,
    stt: undefined,
  };

  beforeAll(async () => {
    // After the greeting, one question, then a silent wait for the answer.
    const oneQuestion = callerAudio(dir, 'one-question', [
      GREETING_SECONDS,
      'Hello, I have a question about my account.',
      WAIT_SECONDS,
    ]);
    const firstSeconds = oneQuestion.starts[2] ?? 0;

    fakes.openai.stall(true);
    cases.llm = await stalledCall(
      '5a11ed00-0000-4000-8000-0000000011a1',
      oneQuestion.file,
      firstSeconds,
    );
    fakes.openai.stall(false);

    // The plugin sends the answer word by word; its first word, not in the greeting, stalls.
    const firstWord = REPLIES.turn.split(/\W/)[0] ?? 'Sure';
    fakes.elevenlabs.stallOn(new RegExp(`^${firstWord}\\b`));
    cases.tts = await stalledCall(
      '5a11ed00-0000-4000-8000-0000000011a2',
      oneQuestion.file,
      firstSeconds,
    );
    fakes.elevenlabs.stallOn(undefined);

    // A caller who is not answered keeps talking, as callers do.
    const talker = callerAudio(dir, 'talker', [
      GREETING_SECONDS,
      'Hello, I have a question about my account.',
      1,
      'Hello? Hello? Are you still there? Can you hear me?',
      1,
      'I said I have a question about my account. Is anybody there?',
      1,
      'Hello? I cannot hear anything. Hello? Is this thing working?',
      1,
      'Hello? Hello? Please say something. Can anybody hear me?',
      WAIT_SECONDS,
    ]);
    fakes.deepgram.stallAfter(0);
    cases.stt = await stalledCall(
      '5a11ed00-0000-4000-8000-0000000011a3',
      talker.file,
      talker.starts[2] ?? 0,
    );
    fakes.deepgram.recover();
  });

  it.each([
    ['llm', 'the LLM never sends its first token', 'apology and transfer'],
    ['tts', 'the TTS stops mid-sentence', 'the first words, then the handoff'],
    ['stt', 'the STT hears audio and answers nothing', 'an apology and transfer as they talk on'],
  ] as const)(
    '%s: %s: the caller is handed to the queue with reason provider_failure',
    async (piece, what, got) => {
      const stalled = cases[piece];
      expect(stalled).toBeDefined();
      if (!stalled) return;
      const { call: report, cnv, deadAirMs } = stalled;
      expect(report.sipp.failures).toEqual([]);
      expect(report.sipp.exitCode).toBe(0);
      expect(report.refer?.target).toMatch(/^sip:\+18005550150@/);
      expect(report.refer?.uuiFields).toMatchObject({ ai_reason: 'provider_failure', ai_cnv: cnv });
      const failed = linesOf(cnv).filter(
        (l) => l.msg === 'voice provider failed; handing the caller to a human',
      );
      // 'tts_error' when the session reports it (a TTS cannot fail over mid-sentence).
      expect(failed.some((l) => String(l['failed']).startsWith(piece))).toBe(true);
      // The apology ("I am sorry, I am having technical trouble…", ~4 s) before the REFER.
      const referAt = report.refer?.message.time ?? 0;
      const toCaller = report.rtp.filter(
        (p) =>
          p.dstPort === stack.ports.genesysMedia && p.time > stalled.spokeAt && p.time < referAt,
      );
      const heardMs = audioStats(pcmuAudio(toCaller)).voicedMs;
      expect(heardMs).toBeGreaterThan(2500);
      expect(deadAirMs).toBeLessThan(DEAD_AIR_LIMIT_MS);
      const records = await callRecordsOf(stack, cnv);
      expect(records.some((r) => r['outcome'] === 'transferred')).toBe(true);
      reliabilityRow({
        case: `${what} (socket open, no error)`,
        caller: `${got}; longest dead air ${(deadAirMs / 1000).toFixed(1)} s; ${(heardMs / 1000).toFixed(1)} s of agent voice before the REFER`,
        callsLost: 0,
        recordsLost: 0,
      });
    },
  );

  it('asked the stalled LLM, and held no token back: the fake counted the stalled requests', () => {
    expect(fakes.counters().openai.stalled).toBeGreaterThan(0);
  });
});
