/**
 * Warm transfer through the real stack. sipp plays both Genesys sides: the
 * caller (a steady 700 Hz tone on their line) presses 0; the general queue is
 * reached warm, so the agent puts the caller on hold, dials a Genesys agent
 * line through the outbound trunk (a second sipp, answering with a 1300 Hz
 * tone), speaks the summary to the human, connects the two and leaves. The
 * RTP each side received, captured on the wire, shows who heard whom, when.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, type LogLine } from './harness/logs.ts';
import { pcmuAudio, startRtpCapture, type RtpPacket } from './harness/rtp-capture.ts';
import { runSipp, type SippResult } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { framesWithTone, writeTone } from './harness/tones.ts';
import { REPO_ROOT } from './harness/tools.ts';
import { HOLD_TONES_HZ } from '../agent/src/transfer/warm/hold-audio.ts';

const CALLER_HZ = 700;
const HUMAN_HZ = 1300;
/** The hold chime's chord (agent/src/transfer/warm/hold-audio.ts). */
const HOLD_HZ = HOLD_TONES_HZ;
/** 50 frames = 1 s of a tone. */
const ONE_SECOND = 50;

let stack: Stack;
let call: GenesysCallReport;
let human: SippResult;
let humanRtp: RtpPacket[];
let log: LogLine[];

/** Epoch seconds of the first agent log line with this message. */
function at(msg: string): number {
  const line = log.find((l) => l.msg === msg);
  if (!line) throw new Error(`no "${msg}" in agent.log`);
  return Number(line['time']) / 1000;
}

beforeAll(async () => {
  stack = await startStack({
    slot: 9,
    name: 'test-warm-transfer',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-warm.yaml'),
  });
  const callerTone = join(stack.runDir, 'caller-tone.wav');
  const humanTone = join(stack.runDir, 'human-tone.wav');
  writeTone(callerTone, CALLER_HZ, 45);
  writeTone(humanTone, HUMAN_HZ, 45);

  const humanCapture = await startRtpCapture(
    stack.ports.humanMedia,
    join(stack.runDir, 'human-media.pcap'),
  );
  const humanRun = runSipp({
    scenario: 'genesys-human-agent.xml',
    workDir: join(stack.runDir, 'sipp-human'),
    localPort: stack.ports.humanSip,
    mediaPort: stack.ports.humanMedia,
    files: { 'human-speech.wav': humanTone },
    keys: {},
    timeoutSeconds: 75,
  });
  try {
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-warm-caller.xml',
      audioFile: callerTone,
    });
    human = await humanRun;
  } finally {
    humanRtp = (await humanCapture.stop()).filter((p) => p.dstPort === stack.ports.humanMedia);
  }
  log = readJsonLog(stack.runDir, 'agent.log');
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

const heardByCaller = () => call.rtp.filter((p) => p.dstPort === stack.ports.genesysMedia);

describe('warm transfer', () => {
  it('completes both calls: no REFER to the caller, the human line rang and answered', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer).toBeUndefined();
    expect(human.failures).toEqual([]);
    expect(human.exitCode).toBe(0);
  });

  it('dials the human with the transfer context Genesys reads', () => {
    const invite = human.messages.find((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invite?.startLine).toMatch(/^INVITE sip:\+18005550170@127\.0\.0\.1/);
    const uui = invite?.headers.find(([k]) => k.toLowerCase() === 'user-to-user')?.[1] ?? '';
    const text = Buffer.from(uui.split(';')[0] ?? '', 'hex')
      .subarray(1)
      .toString('latin1');
    expect(text).toContain('ai_reason=dtmf_zero');
    expect(text).toContain('ai_route=main');
    const reason = invite?.headers.find(([k]) => k.toLowerCase() === 'x-ai-transfer-reason');
    expect(reason?.[1]).toBe('dtmf_zero');
  });

  it('lets the human hear the summary, and nothing of the caller, before the merge', () => {
    const answered = at('warm transfer: human answered');
    const merged = at('warm transfer: caller and human connected');
    const before = humanRtp.filter((p) => p.time >= answered && p.time < merged);
    // "Hello, this is the virtual assistant with a caller for general..." (~6 s)
    expect(audioStats(pcmuAudio(before)).voicedMs).toBeGreaterThan(2500);
    expect(framesWithTone(humanRtp, CALLER_HZ, -Infinity, merged)).toBe(0);
  });

  it('keeps the caller on hold, hearing nothing of the human, until the merge', () => {
    const holdFrom = at('warm transfer: caller on hold, dialling the human');
    const merged = at('warm transfer: caller and human connected');
    expect(framesWithTone(heardByCaller(), HUMAN_HZ, -Infinity, merged)).toBe(0);
    expect(framesWithTone(heardByCaller(), HOLD_HZ, holdFrom, merged)).toBeGreaterThan(5);
  });

  it('connects caller and human both ways after the merge', () => {
    const merged = at('warm transfer: caller and human connected');
    const callerBye = call.sipp.messages.find((m) => m.direction === 'sent' && m.method === 'BYE');
    const end = callerBye?.time ?? Infinity;
    expect(framesWithTone(heardByCaller(), HUMAN_HZ, merged + 0.5, end)).toBeGreaterThan(
      ONE_SECOND,
    );
    expect(framesWithTone(humanRtp, CALLER_HZ, merged + 0.5, end)).toBeGreaterThan(ONE_SECOND);
  });

  it('leaves the room once connected, recording the transfer as completed', () => {
    const attempt = log.find((l) => l.msg === 'transfer attempt finished')?.['attempt'] as
      { target: string; outcome: { status: string } } | undefined;
    expect(attempt).toMatchObject({
      target: 'consult:+18005550170',
      outcome: { status: 'completed' },
    });
    const closed = log.find((l) => l.msg === 'session closed; ending job');
    expect(closed).toMatchObject({ outcome: 'transferred' });
    const callerBye = call.sipp.messages.find((m) => m.direction === 'sent' && m.method === 'BYE');
    expect(Number(closed?.['time']) / 1000).toBeLessThan(callerBye?.time ?? 0);
  });

  it('hangs the human up when the caller leaves (dispatch closes the bridge)', () => {
    expect(human.messages.some((m) => m.direction === 'received' && m.method === 'BYE')).toBe(true);
  });
});

describe('warm transfer the human declines', () => {
  let fallback: GenesysCallReport;
  let declined: SippResult;
  let lines: LogLine[];

  beforeAll(async () => {
    const before = readJsonLog(stack.runDir, 'agent.log').length;
    const humanRun = runSipp({
      scenario: 'genesys-human-declines.xml',
      workDir: join(stack.runDir, 'sipp-human-declines'),
      localPort: stack.ports.humanSip,
      mediaPort: stack.ports.humanMedia,
      keys: {},
      timeoutSeconds: 60,
    });
    // The caller presses 0 and expects a REFER (the blind fallback), which it accepts.
    fallback = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      conversationId: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      trailingSilenceSeconds: 30,
    });
    declined = await humanRun;
    lines = readJsonLog(stack.runDir, 'agent.log').slice(before);
  }, 120_000);

  it('takes the caller back and transfers blind to the queue target', () => {
    expect(declined.failures).toEqual([]);
    expect(fallback.sipp.failures).toEqual([]);
    expect(fallback.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(fallback.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero' });
    const attempts = lines
      .filter((l) => l.msg === 'transfer attempt finished')
      .map(
        (l) => l['attempt'] as { target: string; outcome: { status: string; sipStatus?: number } },
      );
    expect(attempts.map((a) => [a.target, a.outcome.status, a.outcome.sipStatus])).toEqual([
      ['consult:+18005550170', 'refused', 603],
      ['sip:+18005550150@127.0.0.1:5070', 'completed', undefined],
    ]);
  });
});
