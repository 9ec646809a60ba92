import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture, analyzeRun } from './analyze.ts';
import { parseTsharkFields } from './capture.ts';
import { writeUdpPcap } from './pcap-writer.ts';
import { syntheticCall, type SyntheticCallSpec } from './synthetic-call.ts';

const T0 = 1_700_000_000_000;
/** A transferred call: greeting, a turn with a mid-sentence pause, a barge-in the agent stops for, a stall. */
const transferred: SyntheticCallSpec = {
  id: 'transferred',
  sipPort: 31000,
  mediaPort: 32000,
  invitedAtMs: T0,
  answerAfterMs: 600,
  agentSpeech: [
    [1210, 3010],
    [5810, 7010],
    [8630, 9610],
  ],
  utterances: [
    {
      parts: [
        [3410, 4010],
        [4510, 5010],
      ],
    },
    { parts: [[6510, 7510]], bargeIn: true },
  ],
  stalls: [{ atMs: 6000, ms: 180 }],
  referAfterMs: 10_000,
  bye: { from: 'bridge', afterMs: 11_000 },
  callerLogSkewMs: 30,
};
const premature: SyntheticCallSpec = {
  id: 'premature',
  sipPort: 31001,
  mediaPort: 32002,
  invitedAtMs: T0 + 500,
  answerAfterMs: 400,
  agentSpeech: [
    [1010, 2010],
    [3710, 4010],
  ],
  utterances: [
    {
      parts: [
        [3010, 3510],
        [4110, 4610],
      ],
    },
  ],
  bye: { from: 'caller', afterMs: 8000 },
};
const refused: SyntheticCallSpec = {
  id: 'refused',
  sipPort: 31002,
  mediaPort: 32004,
  invitedAtMs: T0 + 1000,
  finalStatus: 486,
};
const abandoned: SyntheticCallSpec = {
  id: 'abandoned',
  sipPort: 31003,
  mediaPort: 32006,
  invitedAtMs: T0 + 1500,
  cancelAfterMs: 3000,
};
const silent: SyntheticCallSpec = {
  id: 'silent',
  sipPort: 31004,
  mediaPort: 32008,
  invitedAtMs: T0 + 2000,
  answerAfterMs: 300,
  utterances: [{ parts: [[2010, 3010]] }],
  bye: { from: 'caller', afterMs: 12_000 },
};
const specs = [transferred, premature, refused, abandoned, silent];

describe('wire analysis of a run', () => {
  const calls = specs.map(syntheticCall);
  const capture = {
    sip: calls.flatMap((c) => c.sip).sort((a, b) => a.timeMs - b.timeMs),
    rtp: calls.flatMap((c) => c.rtp).sort((a, b) => a.timeMs - b.timeMs),
  };
  const callers = calls.map((c) => c.caller);
  const measured = analyzeCapture(capture, callers);
  const byId = (id: string) => measured.find((m) => m.id === id);

  it('measures a transferred call: answer, greeting, turns, barge-in, gaps, REFER', () => {
    expect(byId('transferred')).toEqual({
      id: 'transferred',
      sipCallId: 'transferred@bench',
      arrivalMs: 0,
      outcome: 'transferred',
      finalStatus: 200,
      answerMs: 600,
      ringMs: 600,
      greetingOnsetMs: 610,
      // Utterance 0 ends on the wire at 5010 (the log's 30 ms skew is corrected); the agent
      // starts at 5810. Utterance 1 barges in at 6510; the agent stops at 7010, then replies.
      turns: [
        { utterance: 0, latencyMs: 800 },
        { utterance: 1, latencyMs: 1120 },
      ],
      unansweredTurns: 0,
      midSentencePauses: 1,
      prematureReplies: 0,
      bargeIns: [{ stopMs: 500, stopped: true }],
      audioGaps: 1,
      longestGapMs: 190,
      referTarget: 'sip:+18005550150@127.0.0.1:5070',
      warnings: [],
    });
  });

  it('counts a reply that starts inside a mid-sentence pause as premature', () => {
    expect(byId('premature')).toMatchObject({
      outcome: 'completed',
      midSentencePauses: 1,
      prematureReplies: 1,
      unansweredTurns: 1,
    });
  });

  it('tells refused, abandoned and silent calls apart', () => {
    expect(byId('refused')).toMatchObject({
      outcome: 'refused',
      finalStatus: 486,
      answerMs: undefined,
      ringMs: 100,
    });
    // The caller stops hearing ringback when it sends CANCEL, not at the 487 that follows.
    expect(byId('abandoned')).toMatchObject({
      outcome: 'abandoned',
      finalStatus: 487,
      ringMs: 3000,
    });
    expect(byId('silent')?.ringMs).toBe(300);
    expect(byId('silent')).toMatchObject({
      outcome: 'lost',
      greetingOnsetMs: undefined,
      unansweredTurns: 1,
    });
  });

  it('refuses a stream in another codec than PCMU, loudly', () => {
    const g722 = { ...capture, rtp: capture.rtp.map((p) => ({ ...p, payloadType: 9 })) };
    expect(() => analyzeCapture(g722, callers)).toThrow(/payload type 9 \(G\.722\)/);
  });

  describe('through tshark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-analysis-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a pcap of the same calls into the same measurements', () => {
      const pcapFile = join(dir, 'run.pcap');
      writeUdpPcap(
        pcapFile,
        calls.flatMap((c) => c.datagrams).sort((a, b) => a.timeMs - b.timeMs),
      );
      expect(analyzeRun({ pcapFile, startedAtMs: T0, callers })).toEqual(measured);
    });

    it('fails with tshark’s message on a missing file', () => {
      expect(() =>
        analyzeRun({ pcapFile: join(dir, 'none.pcap'), startedAtMs: T0, callers }),
      ).toThrow(/tshark/);
    });
  });
});

describe('tshark fields', () => {
  it('reads SIP and RTP rows and refuses a row without ports', () => {
    const text = [
      '1700000000.250000000\t31000\t29060\t\t\ta@x\tREFER\t\tREFER\t<sip:q@h;user=phone>\t\t\t\t\t\t',
      '1700000000.270000000\t40600\t32000\t\t\t\t\t\t\t\t0\t65535\t4294967295\t0x4c4b5349\t1\tffff',
      '',
    ].join('\n');
    const { sip, rtp } = parseTsharkFields(text);
    expect(sip).toEqual([
      {
        timeMs: 1_700_000_000_250,
        srcPort: 31000,
        dstPort: 29060,
        callId: 'a@x',
        method: 'REFER',
        status: undefined,
        cseqMethod: 'REFER',
        referTo: '<sip:q@h;user=phone>',
      },
    ]);
    expect(rtp).toEqual([
      {
        timeMs: 1_700_000_000_270,
        srcPort: 40600,
        dstPort: 32000,
        payloadType: 0,
        seq: 65535,
        timestamp: 4294967295,
        ssrc: 0x4c4b5349,
        marker: true,
        payloadBytes: 2,
        rms: 0,
      },
    ]);
    expect(() => parseTsharkFields('1.0\t\t\t\t\ta@x\tBYE\t\tBYE\t\n')).toThrow(/ports/);
  });
});
