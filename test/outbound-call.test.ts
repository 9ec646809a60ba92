/**
 * Outbound calls through the real stack: POST /v1/calls on the stack's
 * dispatch dials a callee through the Genesys outbound trunk (a sipp UAS on
 * the humanSip port) and waits. The callee who answers hears the route's
 * persona greet them (RTP captured on the wire); a busy callee (486) and one
 * who never picks up come back as HTTP errors with the room removed.
 */
import { join } from 'node:path';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { parseDispatchMetadata, type DispatchMetadata } from '../contracts/dispatch-metadata.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import { readJsonLog, waitFor, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import { pcmuAudio, startRtpCapture, type RtpPacket } from './harness/rtp-capture.ts';
import { header, runSipp, type SippResult, type SippRun } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { framesWithTone, writeTone } from './harness/tones.ts';
import { REPO_ROOT } from './harness/tools.ts';

const CALLEE = '+15551234567';
const CALLEE_HZ = 1300;
/** How long the test listens to the answered call before hanging it up. */
const LISTEN_MS = 9000;

let stack: Stack;
let rooms: RoomServiceClient;

type CallResponse = Readonly<{ status: number; body: Record<string, unknown>; at: number }>;

async function placeCall(body: Record<string, unknown>): Promise<CallResponse> {
  const res = await fetch(`http://127.0.0.1:${stack.ports.dispatch}/v1/calls`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.dispatchToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    at: Date.now() / 1000,
  };
}

/** Starts a callee scenario and gives sipp a moment to bind its port; `done` settles when sipp exits. */
async function callee(
  scenario: string,
  name: string,
  extra: Partial<SippRun> = {},
): Promise<{ done: Promise<SippResult> }> {
  const done = runSipp({
    scenario,
    workDir: join(stack.runDir, name),
    localPort: stack.ports.humanSip,
    mediaPort: stack.ports.humanMedia,
    keys: {},
    timeoutSeconds: 60,
    ...extra,
  });
  await new Promise((r) => setTimeout(r, 500));
  return { done };
}

const dispatchLog = () => readJsonLog(stack.runDir, 'dispatch.log');
const roomNames = async () => (await rooms.listRooms()).map((r) => r.name);

beforeAll(async () => {
  // Slot 5 is shared with the reconcile and webhook tests; stack test files run one at a time.
  stack = await startStack({
    slot: 5,
    name: 'test-outbound-call',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-outbound.yaml'),
  });
  rooms = new RoomServiceClient(
    stack.livekit.httpUrl,
    stack.livekit.apiKey,
    stack.livekit.apiSecret,
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an outbound call the callee answers', () => {
  let response: CallResponse;
  let sipp: SippResult;
  let heard: RtpPacket[];
  let agentLog: LogLine[];
  let jobsLeft: number;
  let dispatched: DispatchMetadata[];

  beforeAll(async () => {
    const tone = join(stack.runDir, 'callee-tone.wav');
    writeTone(tone, CALLEE_HZ, 45);
    const capture = await startRtpCapture(
      stack.ports.humanMedia,
      join(stack.runDir, 'callee-media.pcap'),
    );
    const run = await callee('genesys-callee-answers.xml', 'sipp-callee', {
      files: { 'callee-speech.wav': tone },
    });
    let hangUp = async () => {};
    try {
      response = await placeCall({
        to: CALLEE,
        route: 'main',
        fromNumber: '+18005550101',
        context: { campaign: 'renewal' },
        ringSeconds: 20,
      });
      if (response.status === 201) {
        // Hang up whatever happens below, so the callee's sipp ends and frees its port.
        const room = String(response.body['room']);
        hangUp = () => rooms.deleteRoom(room).catch(() => {});
        const agents = new AgentDispatchClient(
          stack.livekit.httpUrl,
          stack.livekit.apiKey,
          stack.livekit.apiSecret,
        );
        // livekit-server also lists its automatic dispatch (no agent name), which our workers never take.
        dispatched = (await agents.listDispatch(room))
          .filter((d) => d.agentName === 'genesys-voice-agent')
          .map((d) => parseDispatchMetadata(d.metadata));
        await new Promise((r) => setTimeout(r, LISTEN_MS));
      }
    } finally {
      // Deleting the room sends the callee a BYE.
      await hangUp();
      sipp = await run.done;
      heard = (await capture.stop()).filter((p) => p.dstPort === stack.ports.humanMedia);
    }
    jobsLeft = await waitForIdleWorker(stack.ports.agentHealth);
    // The worker may report the job gone before its process has written its last lines.
    agentLog = await waitFor(
      () => readJsonLog(stack.runDir, 'agent.log'),
      (lines) => lines.some((l) => l.msg === 'AgentSession closed'),
      10_000,
    );
  }, 120_000);

  it('answers 201 once the callee picked up, with the room and SIP call id', () => {
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^out-main-[0-9a-f]{12}$/),
      room: response.body['id'],
      sipCallId: expect.stringMatching(/^SCL_/),
      status: 'answered',
    });
  });

  it('dials the number through the outbound trunk with the caller id asked for', () => {
    expect(sipp.failures).toEqual([]);
    expect(sipp.exitCode).toBe(0);
    const invite = sipp.messages.find((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invite?.startLine).toMatch(/^INVITE sip:\+15551234567@127\.0\.0\.1:25071/);
    expect(header(invite!, 'From')).toContain('+18005550101');
    // The 201 came after the callee's 200 OK.
    const ok = sipp.messages.find((m) => m.direction === 'sent' && m.status === 200);
    expect(response.at).toBeGreaterThanOrEqual(ok?.time ?? Infinity);
  });

  it("dispatches the agent into the call's room with the route's persona", () => {
    // The job metadata: the route's, with the request's context over the route's values.
    expect(dispatched).toEqual([
      {
        v: 1,
        route: 'main',
        persona: 'triage',
        humanQueue: 'general',
        values: { brand: 'acme', campaign: 'renewal' },
        direction: 'outbound',
      },
    ]);
    const answered = agentLog.find((l) => l.msg === 'call answered');
    expect(answered).toMatchObject({
      room: response.body['room'],
      route: 'main',
      persona: 'triage',
      personaSource: 'route',
      sipCallId: response.body['sipCallId'],
      // The agent reads the callee as the other party, masked in its logs.
      ani: '+•••••••••67',
      dnis: '+18005550101',
    });
  });

  it("lets the callee hear the agent's greeting soon after answering", () => {
    const answeredAt = sipp.messages.find((m) => m.direction === 'sent' && m.status === 200)?.time;
    const afterAnswer = heard.filter((p) => p.time >= (answeredAt ?? Infinity));
    const stats = audioStats(pcmuAudio(afterAnswer));
    // "Thank you for calling. In a few words, how can I help you today?" (~3 s)
    expect(stats.voicedMs).toBeGreaterThan(1500);
    expect(stats.peakRms).toBeGreaterThan(1000);
    // The agent joins after the answer: the callee waits for it (~1.3 s on an idle machine).
    const firstVoiced = afterAnswer.find((p) => audioStats(pcmuAudio([p])).voicedMs > 0)?.time;
    expect((firstVoiced ?? Infinity) - (answeredAt ?? 0)).toBeLessThan(5);
    // What the callee heard is the agent, not their own line played back.
    expect(framesWithTone(afterAnswer, CALLEE_HZ)).toBeLessThan(10);
  });

  it('logs the call in dispatch with the number masked', () => {
    const lines = dispatchLog();
    expect(lines.find((l) => l.msg === 'outbound call answered')).toMatchObject({
      room: response.body['room'],
      route: 'main',
      persona: 'triage',
      to: '+•••••••••67',
      sipCallId: response.body['sipCallId'],
    });
    expect(JSON.stringify(lines)).not.toContain('5551234567');
  });

  it('ends the agent job when the call is hung up', () => {
    const closed = agentLog.find((l) => l.msg === 'AgentSession closed');
    expect(closed).toMatchObject({ room: response.body['room'] });
    expect(jobsLeft).toBe(0);
  });
});

describe('an outbound call to a busy line', () => {
  let response: CallResponse;
  let sipp: SippResult;

  beforeAll(async () => {
    const run = await callee('genesys-callee-busy.xml', 'sipp-callee-busy');
    response = await placeCall({ to: CALLEE, route: 'main' });
    sipp = await run.done;
  }, 90_000);

  it('answers 409 call_failed with the SIP status', () => {
    expect(sipp.failures).toEqual([]);
    expect(response.status, JSON.stringify(response.body)).toBe(409);
    expect(response.body).toEqual({
      error: 'call_failed',
      sipStatus: 486,
      reason: expect.stringMatching(/busy/i),
    });
  });

  it('removes the room and dispatches no agent', async () => {
    // dispatch's log reaches its file through a pipe, a moment after the response.
    const lines = await waitFor(
      dispatchLog,
      (all) => all.some((l) => l.msg === 'outbound call failed'),
      3000,
    );
    const failed = lines.find((l) => l.msg === 'outbound call failed');
    expect(failed).toMatchObject({ sipStatus: 486 });
    const room = String(failed?.['room']);
    expect(await waitFor(roomNames, (names) => !names.includes(room), 5000)).not.toContain(room);
    const agentLog = readJsonLog(stack.runDir, 'agent.log');
    expect(agentLog.some((l) => l['room'] === room)).toBe(false);
  });
});

describe('an outbound call nobody answers', () => {
  let response: CallResponse;
  let sipp: SippResult;
  let started: number;

  beforeAll(async () => {
    const run = await callee('genesys-callee-no-answer.xml', 'sipp-callee-no-answer');
    started = Date.now() / 1000;
    response = await placeCall({ to: CALLEE, route: 'main', ringSeconds: 5 });
    sipp = await run.done;
  }, 90_000);

  it('answers 504 no_answer after ringSeconds, cancelling the INVITE', async () => {
    expect(response.status, JSON.stringify(response.body)).toBe(504);
    expect(response.body).toEqual({ error: 'no_answer' });
    expect(response.at - started).toBeGreaterThanOrEqual(4.5);
    expect(response.at - started).toBeLessThan(15);
    expect(sipp.failures).toEqual([]);
    expect(sipp.exitCode).toBe(0);
    expect(sipp.messages.some((m) => m.direction === 'received' && m.method === 'CANCEL')).toBe(
      true,
    );
    const room = String(
      dispatchLog().find((l) => l.msg === 'outbound call not answered')?.['room'],
    );
    expect(await waitFor(roomNames, (names) => !names.includes(room), 5000)).not.toContain(room);
  });
});
