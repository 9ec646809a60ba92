/**
 * What Genesys should never send, sent to the real stack: INVITEs without
 * SDP or with no codec we speak, from an address the trunk does not admit,
 * with hundreds of headers, control characters or a huge UUI (over UDP and
 * TCP); mid-call re-INVITEs and session-timer refreshes; a flood of DTMF; a
 * burst of callers, most of whom hang up while it rings; and, on a trunk
 * with digest credentials, a caller with the wrong password. Each must end
 * in a clean SIP answer or a normal call that keeps its record, and the
 * bridge must take the next real call as before. Each case adds its row to
 * the reliability table (test/harness/reliability.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRecordsOf } from './harness/dispatch-records.ts';
import { defaultGenesysCall, placeGenesysCall } from './harness/genesys-call.ts';
import { readJsonLog, waitFor, waitForIdleWorker } from './harness/logs.ts';
import { reliabilityRow } from './harness/reliability.ts';
import {
  callWithMedia,
  DNIS,
  heardVoice,
  PCMU,
  roomNames,
  rtpIn,
  runBurst,
} from './harness/sip-calls.ts';
import type { DigestCredentials } from './harness/sip-digest.ts';
import { probeInvite, probeSdp } from './harness/sip-probe.ts';
import type { SipTransportKind } from './harness/sip-transport.ts';
import {
  bridgeMediaStats,
  cnvOf,
  expectAnsweredAndRecorded,
  expectRefused,
  recordOf,
  statuses,
} from './harness/sip-verdicts.ts';
import { startStack, type Stack } from './harness/stack.ts';

let stack: Stack;

describe('hostile SIP at the bridge', () => {
  beforeAll(async () => {
    stack = await startStack({ slot: 3, name: 'test-sip-boundary' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses an INVITE without SDP at once, instead of ringing', async () => {
    const r = await probeInvite(stack.ports.sip, { dnis: DNIS }, 3000);
    expectRefused(r, 'INVITE without SDP');
  });

  it('refuses an offer with no codec it speaks (G.729 only)', async () => {
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, sdp: probeSdp('127.0.0.1', 39990, [[18, 'G729/8000']]) },
      3000,
    );
    expectRefused(r, 'offer with no supported codec (G.729 only)');
  });

  it('never answers a source outside allowedAddresses, nor starts an agent', async () => {
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, from: '127.0.0.2', sdp: probeSdp('127.0.0.2', 39990, PCMU) },
      5000,
    );
    expect(statuses(r)).not.toContain(200);
    expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
    reliabilityRow({
      case: 'INVITE from outside allowedAddresses',
      caller: `${statuses(r).join(', ') || 'nothing'}, then ${r.final ?? 'no final response'} within 5 s`,
      callsLost: 0,
      ...(r.final === undefined
        ? {
            cannot:
              'livekit-sip v1.8.0 drops an INVITE no trunk admits without a final response (its flood guard); the sender rings until its own timeout',
          }
        : {}),
    });
  });

  it('answers and records a call whose INVITE carries 300 X- headers (20 KB)', async () => {
    const cnv = cnvOf(0x4a01);
    const headers = Array.from({ length: 300 }, (_, i) => `X-Junk-${i}: ${'v'.repeat(50)}`);
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnv, headers, sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      6000,
    );
    await expectAnsweredAndRecorded(stack, r, cnv, 'INVITE with 300 X- headers (20 KB)');
  });

  it('answers and records a call with control characters and escapes in its X- headers', async () => {
    const cnv = cnvOf(0x4a02);
    const headers = [
      'X-Customer-Tier: gold\x01\x07\x1b[31m\x7f',
      'X-Note: a\tb %0d%0aX-Injected: 1',
    ];
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnv, headers, sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      6000,
    );
    await expectAnsweredAndRecorded(stack, r, cnv, 'control characters in X- headers');
  });

  it.each<[string, SipTransportKind, number]>([
    ['UDP', 'udp', 0x4a03],
    ['TCP', 'tcp', 0x4a05],
  ])('answers and records a call with a 4 KB UUI over %s', async (name, transport, n) => {
    const uui = Buffer.from(`blob=${'x'.repeat(4096)}`, 'latin1').toString('hex');
    const r = await probeInvite(
      stack.ports.sip,
      {
        dnis: DNIS,
        conversationId: cnvOf(n),
        transport,
        headers: [`User-to-User: 04${uui};encoding=hex`],
        sdp: probeSdp('127.0.0.1', 39990, PCMU),
      },
      6000,
    );
    await expectAnsweredAndRecorded(stack, r, cnvOf(n), `4 KB UUI over ${name}`);
  });

  it.each([
    ['mid-call re-INVITE (same SDP, next CSeq)', 0x4a06, []],
    [
      'session-timer refresh (re-INVITE with Session-Expires)',
      0x4a07,
      ['Session-Expires: 90;refresher=uac', 'Min-SE: 90', 'Supported: timer'],
    ],
  ])('keeps the call up through a %s', async (label, n, headers) => {
    let sentAt = 0;
    let answeredAt = 0;
    const { result, media } = await callWithMedia(stack, cnvOf(n), async (dialog, m) => {
      await heardVoice(m, 10_000);
      sentAt = Date.now();
      await dialog.reinvite(headers);
      answeredAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 3000));
    });
    expect(result.reinvites).toEqual([200]);
    expect(result.byeAtMs, 'the bridge hung up').toBeUndefined();
    // 20 ms frames: 150 in 3 s; a bridge that stopped its audio at the re-INVITE sends none.
    const after = rtpIn(media, answeredAt, answeredAt + 3000);
    expect(after).toBeGreaterThan(100);
    const record = await recordOf(stack, result, cnvOf(n), label);
    expect(record['outcome']).toBe('caller_hung_up');
    reliabilityRow({
      case: label,
      caller: `200 to the re-INVITE after ${answeredAt - sentAt} ms; ${after} RTP packets in the 3 s after it, no BYE; record kept (${String(record['outcome'])})`,
      callsLost: 0,
      recordsLost: 0,
    });
  });

  it('survives a flood of 200 DTMF digits and still transfers on the 0 after it', async () => {
    const cnv = cnvOf(0x4a08);
    const flood = '123456789*#'.repeat(19).slice(0, 200);
    let [greeted, referred, floodMs, floodRtp] = [false, false, 0, 0];
    // The earlier calls' job processes end and the warm pool refills (about 0.5 s of CPU a
    // process) before the flood: on 2 cores that work starves livekit-sip's UDP reader.
    await waitForIdleWorker(stack.ports.agentHealth);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { result } = await callWithMedia(
      stack,
      cnv,
      async (dialog, media) => {
        greeted = await heardVoice(media, 15_000);
        const start = Date.now();
        await media.sendDigits(flood, 10);
        floodMs = Date.now() - start;
        floodRtp = rtpIn(media, start, start + floodMs);
        await media.sendDigits('0', 100);
        referred = await dialog.requestSeen('REFER', 20_000);
        await dialog.requestSeen('BYE', 10_000);
      },
      10_000,
    );
    expect(greeted, 'the greeting before the flood').toBe(true);
    expect(referred, 'REFER after the 0').toBe(true);
    expect(result.byeAtMs, 'the bridge hung up after the transfer').toBeDefined();
    // 20 ms frames: a bridge that stalled under the flood sends far fewer than one in 40 ms.
    expect(floodRtp, 'audio from the bridge through the flood').toBeGreaterThan(floodMs / 40);
    // The flood reached livekit-sip (4 packets an event) and the agent acted on the one 0 only.
    // UDP on a loaded host drops packets: a CI run counted 803 of 804, and on 2026-12-03 this
    // file's runs on the project's 2-core VM 661 to 697 (this test alone: 804). RFC 4733
    // sends each event's end three times for that, so a lost packet rarely loses the digit;
    // what must hold is that the flood reached the bridge and only the 0 was acted on.
    const stats = await waitFor(
      () => bridgeMediaStats(stack, result.callId),
      (x) => x !== undefined,
      10_000,
    );
    const sent = 201 * 4;
    const took = stats?.['dtmf_packets'] ?? 0;
    expect(took, 'event packets the bridge took').toBeLessThanOrEqual(sent);
    expect(took, 'event packets the bridge took').toBeGreaterThanOrEqual(sent * 0.75);
    const zeros = readJsonLog(stack.runDir, 'agent.log').filter(
      (l) => l['genesysConversationId'] === cnv && l.msg === 'caller pressed 0 for a person',
    );
    expect(zeros).toHaveLength(1);
    const record = await recordOf(stack, result, cnv, 'DTMF flood');
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'dtmf_zero' });
    reliabilityRow({
      case: '200 DTMF digits in 2 s (RFC 4733), then 0',
      caller: `call up through the flood (${floodMs} ms; the bridge took ${took} of ${sent} event packets and sent ${floodRtp} RTP meanwhile); REFER after the 0, record kept (${String(record['outcome'])})`,
      callsLost: 0,
      recordsLost: 0,
    });
  });

  it('takes a burst of 10 INVITEs in 1 s, 6 abandoned while ringing, and is clean after it', async () => {
    const abandoned = [0, 2, 3, 5, 7, 8];
    const plan = Array.from({ length: 10 }, (_, i) => ({
      conversationId: cnvOf(0x4b00 + i),
      abandon: abandoned.includes(i),
    }));
    const s = await runBurst(stack, plan, { spacingMs: 100, holdMs: 3000, waitMs: 18_000 });
    expect(s.ringing, 'left ringing').toEqual([]);
    expect(s.cancelled.length + s.raced.length).toBe(6);
    expect(s.answered.length + s.refused.length).toBe(4);
    // Capacity (AGENT_MAX_CALLS) may refuse a caller with 486 at the ring timeout: reported.
    for (const c of s.refused) expect(c.result.final).toBe(486);
    // Every caller who stayed keeps a record: the agent's, or dispatch's for a refusal.
    expect(s.outcomes).toHaveLength(4);
    expect(s.jobsLeft, 'jobs left').toBe(0);
    expect(s.occupied, 'rooms someone is still in').toEqual([]);
    const fresh = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnvOf(0x4bff), sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      4000,
    );
    await recordOf(stack, fresh, cnvOf(0x4bff), 'call after the burst');
    const answerMs = s.answered.map((c) => c.result.finalAtMs ?? 0);
    reliabilityRow({
      case: 'burst: 10 INVITEs in 1 s, 6 CANCELled while ringing',
      caller: `${s.answered.length} of 4 answered (${Math.min(...answerMs)}-${Math.max(...answerMs)} ms), ${s.refused.length} refused with 486; 6 abandoned: ${s.cancelled.length} got 487, ${s.raced.length} answered as the CANCEL crossed; records: ${s.outcomes.join(', ')}; at most ${s.peakJobs} jobs at once, none from ${s.idleSinceMs} ms after the first INVITE, every room empty at ${s.roomsEmptyAtMs} ms; the next call answered after ${fresh.finalAtMs} ms`,
      callsLost: s.refused.length,
      recordsLost: 4 - s.outcomes.length,
    });
  });

  it('takes the next real Genesys call as before', async () => {
    const call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      conversationId: cnvOf(0x4a04),
    });
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
  });
});

describe('digest authentication on the inbound trunk', () => {
  const credentials = { username: 'genesys-byoc', password: 'inbound-password-1' };

  beforeAll(async () => {
    stack = await startStack({
      slot: 3,
      name: 'test-sip-boundary-auth',
      dispatchEnv: {
        INBOUND_TRUNK_USERNAME: credentials.username,
        INBOUND_TRUNK_PASSWORD: credentials.password,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** An INVITE that answers livekit-sip's 407 with `auth`: the challenge first, then what the retry got. */
  async function challenged(n: number, auth: DigestCredentials) {
    const r = await probeInvite(
      stack.ports.sip,
      { dnis: DNIS, conversationId: cnvOf(n), auth, sdp: probeSdp('127.0.0.1', 39990, PCMU) },
      5000,
    );
    const finals = (cseq: number) =>
      r.responses.filter((x) => x.cseq === cseq && x.status >= 200).map((x) => x.status);
    expect(finals(1), 'the challenge').toEqual([407]);
    return { r, retry: finals(2), challengeMs: r.responses.find((x) => x.status === 407)?.atMs };
  }

  it('refuses the retry with a wrong password at once: no answer, no agent, no ringing on', async () => {
    const { r, retry, challengeMs } = await challenged(0x4c01, {
      ...credentials,
      password: 'nope',
    });
    expect(retry).toEqual([401]); // final: no new challenge for the caller to retry for ever
    expect(statuses(r)).not.toContain(200);
    expect(r.finalAtMs).toBeLessThan(2000);
    expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
    await expect(callRecordsOf(stack, cnvOf(0x4c01), 2000)).rejects.toThrow(/no call record/);
    expect(await roomNames(stack)).toEqual([]);
    reliabilityRow({
      case: 'digest: INVITE, 407, retry with a wrong password',
      caller: `407 after ${challengeMs} ms, then ${r.final} ${r.finalAtMs} ms after the first INVITE; no agent job, no room`,
      callsLost: 0,
    });
  });

  it('answers the retry with the right credentials, and records the call', async () => {
    const { r, retry } = await challenged(0x4c02, credentials);
    expect(retry).toEqual([200]);
    const label = 'digest: INVITE, 407, retry with the right credentials';
    await expectAnsweredAndRecorded(stack, r, cnvOf(0x4c02), label);
  });
});
