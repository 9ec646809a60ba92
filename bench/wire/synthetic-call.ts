/**
 * Synthetic calls for the wire analysis' tests: one description gives both
 * the capture as parsed records (for the pure tests) and real UDP datagrams
 * (SIP text, RTP packets) that pcap-writer.ts turns into a pcap for tshark.
 * The agent and the caller speak a 400 Hz tone (well above the voice
 * threshold) and send digital silence otherwise, 20 ms PCMU frames, like
 * livekit-sip's mixer and the bench's caller do.
 */
import type { CallerLog } from '../load/artifacts.ts';
import type { RtpFrame, SipMessage } from './capture.ts';
import { linearToPcmu, pcmuRms } from './pcmu.ts';

type Span = readonly [startMs: number, endMs: number];

export type SyntheticCallSpec = Readonly<{
  id: string;
  sipPort: number;
  mediaPort: number;
  /** Epoch ms of the INVITE; every other time is relative to it. */
  invitedAtMs: number;
  /** 200 OK this long after the INVITE; undefined: never answered. */
  answerAfterMs?: number;
  /** Final non-2xx status sent at `finalAfterMs` (unanswered calls). */
  finalStatus?: number;
  finalAfterMs?: number;
  cancelAfterMs?: number;
  agentSpeech?: readonly Span[];
  utterances?: readonly Readonly<{ parts: readonly Span[]; bargeIn?: boolean }>[];
  digits?: readonly Readonly<{ digit: string; atMs: number }>[];
  referAfterMs?: number;
  referTo?: string;
  bye?: Readonly<{ from: 'caller' | 'bridge'; afterMs: number }>;
  /** Agent stream stalls: no packet for `ms` from `atMs`, then the stream resumes. */
  stalls?: readonly Readonly<{ atMs: number; ms: number }>[];
  /** Agent packets lost on the way (sequence numbers skipped). */
  losses?: readonly Readonly<{ atMs: number; packets: number }>[];
  /** The caller log's times run this far ahead of the wire. */
  callerLogSkewMs?: number;
  end?: CallerLog['end'];
  sippExitCode?: number;
}>;

export const BRIDGE_SIP_PORT = 29060;
export const BRIDGE_MEDIA_PORT = 40600;

export type SyntheticDatagram = Readonly<{
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}>;

export type SyntheticCall = Readonly<{
  caller: CallerLog;
  sip: SipMessage[];
  rtp: RtpFrame[];
  datagrams: SyntheticDatagram[];
}>;

const TONE: Buffer = Buffer.from(
  Array.from({ length: 160 }, (_, i) =>
    linearToPcmu(4000 * Math.sin((2 * Math.PI * 400 * i) / 8000)),
  ),
);
const SILENCE: Buffer = Buffer.alloc(160, 0xff);

/**
 * @example
 * const call = syntheticCall({ id: 'c0', sipPort: 31000, mediaPort: 32000, invitedAtMs: 1.7e12, answerAfterMs: 500 });
 */
export function syntheticCall(spec: SyntheticCallSpec): SyntheticCall {
  const t0 = spec.invitedAtMs;
  const sip: SipMessage[] = [];
  const rtp: RtpFrame[] = [];
  const datagrams: SyntheticDatagram[] = [];
  const callId = `${spec.id}@bench`;
  let cseq = 1;
  const sipMsg = (
    atMs: number,
    fromCaller: boolean,
    m: { method?: string; status?: number; cseqMethod: string; referTo?: string },
    cseqNo = cseq,
  ): void => {
    const srcPort = fromCaller ? spec.sipPort : BRIDGE_SIP_PORT;
    const dstPort = fromCaller ? BRIDGE_SIP_PORT : spec.sipPort;
    sip.push({
      timeMs: t0 + atMs,
      srcPort,
      dstPort,
      callId,
      method: m.method,
      status: m.status,
      cseqMethod: m.cseqMethod,
      referTo: m.referTo,
    });
    datagrams.push({
      timeMs: t0 + atMs,
      srcPort,
      dstPort,
      payload: Buffer.from(sipText(m, callId, cseqNo, srcPort)),
    });
  };

  sipMsg(0, true, { method: 'INVITE', cseqMethod: 'INVITE' });
  sipMsg(2, false, { status: 100, cseqMethod: 'INVITE' });
  const answer = spec.answerAfterMs;
  if (spec.cancelAfterMs !== undefined) {
    sipMsg(spec.cancelAfterMs, true, { method: 'CANCEL', cseqMethod: 'CANCEL' });
    sipMsg(spec.cancelAfterMs + 2, false, { status: 200, cseqMethod: 'CANCEL' });
    if (answer === undefined)
      sipMsg(spec.cancelAfterMs + 3, false, { status: 487, cseqMethod: 'INVITE' });
  }
  if (answer === undefined && spec.finalStatus !== undefined)
    sipMsg(spec.finalAfterMs ?? 100, false, { status: spec.finalStatus, cseqMethod: 'INVITE' });

  const endMs = spec.bye?.afterMs ?? (answer ?? 0) + 10_000;
  if (answer !== undefined) {
    sipMsg(answer, false, { status: 200, cseqMethod: 'INVITE' });
    sipMsg(answer + 1, true, { method: 'ACK', cseqMethod: 'ACK' });
    cseq++;
    const callerLogParts = (spec.utterances ?? []).flatMap((u) => u.parts);
    mediaStream(spec, t0, answer, endMs, 'agent', spec.agentSpeech ?? [], rtp, datagrams);
    mediaStream(spec, t0, answer, endMs, 'caller', callerLogParts, rtp, datagrams);
    if (spec.referAfterMs !== undefined) {
      const referTo = spec.referTo ?? '<sip:+18005550150@127.0.0.1:5070>';
      sipMsg(spec.referAfterMs, false, { method: 'REFER', cseqMethod: 'REFER', referTo }, 1);
      sipMsg(spec.referAfterMs + 2, true, { status: 202, cseqMethod: 'REFER' }, 1);
      sipMsg(spec.referAfterMs + 5, true, { method: 'NOTIFY', cseqMethod: 'NOTIFY' });
      sipMsg(spec.referAfterMs + 7, false, { status: 200, cseqMethod: 'NOTIFY' });
      cseq++;
    }
    if (spec.bye) {
      const fromCaller = spec.bye.from === 'caller';
      sipMsg(
        spec.bye.afterMs,
        fromCaller,
        { method: 'BYE', cseqMethod: 'BYE' },
        fromCaller ? cseq : 2,
      );
      sipMsg(
        spec.bye.afterMs + 2,
        !fromCaller,
        { status: 200, cseqMethod: 'BYE' },
        fromCaller ? cseq : 2,
      );
    }
  }
  sip.sort((a, b) => a.timeMs - b.timeMs);
  rtp.sort((a, b) => a.timeMs - b.timeMs);
  datagrams.sort((a, b) => a.timeMs - b.timeMs);

  const skew = spec.callerLogSkewMs ?? 0;
  const caller: CallerLog = {
    id: spec.id,
    arrivalMs: 0,
    sipPort: spec.sipPort,
    mediaPort: spec.mediaPort,
    invitedAtMs: t0,
    utterances: (spec.utterances ?? []).map((u, index) => ({
      index,
      text: `utterance ${index}`,
      // The caller log marks the first and last packet of each part's audio.
      parts: u.parts.map(([s, e]) => ({ startMs: t0 + s + skew, endMs: t0 + e - 20 + skew })),
      bargeIn: u.bargeIn ?? false,
    })),
    digits: (spec.digits ?? []).map((d) => ({ digit: d.digit, atMs: t0 + d.atMs })),
    end:
      spec.end ??
      (answer === undefined
        ? spec.cancelAfterMs !== undefined
          ? 'cancel'
          : 'refused'
        : spec.referAfterMs !== undefined
          ? 'refer'
          : 'hangup'),
    sippExitCode: spec.sippExitCode ?? 0,
    failures: [],
  };
  return { caller, sip, rtp, datagrams };
}

/** A continuous 20 ms PCMU stream from the answer to the end, voiced inside `speech`. */
function mediaStream(
  spec: SyntheticCallSpec,
  t0: number,
  fromMs: number,
  toMs: number,
  who: 'agent' | 'caller',
  speech: readonly Span[],
  rtp: RtpFrame[],
  datagrams: SyntheticDatagram[],
): void {
  const agent = who === 'agent';
  const srcPort = agent ? BRIDGE_MEDIA_PORT : spec.mediaPort;
  const dstPort = agent ? spec.mediaPort : BRIDGE_MEDIA_PORT;
  const ssrc = agent ? 0x4c4b5349 : 0x47454e59;
  const seq0 = agent ? 1000 : 5000;
  for (let at = fromMs + 10; at < toMs; at += 20) {
    const mediaIndex = Math.round((at - fromMs - 10) / 20);
    const timestamp = (8000 + mediaIndex * 160) >>> 0;
    const seq = (seq0 + mediaIndex) & 0xffff;
    if (agent && (spec.losses ?? []).some((l) => at >= l.atMs && at < l.atMs + l.packets * 20))
      continue;
    // A stalled sender's packets leave late, all at once, when it resumes.
    const stall = agent
      ? (spec.stalls ?? []).find((s) => at >= s.atMs && at < s.atMs + s.ms)
      : undefined;
    const timeMs = t0 + (stall ? stall.atMs + stall.ms : at);
    const voiced = speech.some(([s, e]) => at >= s && at < e);
    const payload = voiced ? TONE : SILENCE;
    rtp.push({
      timeMs,
      srcPort,
      dstPort,
      payloadType: 0,
      seq,
      timestamp,
      ssrc,
      marker: false,
      payloadBytes: payload.length,
      rms: pcmuRms(payload),
    });
    datagrams.push({
      timeMs,
      srcPort,
      dstPort,
      payload: rtpPacket(0, seq, timestamp, ssrc, payload),
    });
  }
}

/** An RTP packet (version 2, no CSRC, no extension). */
export function rtpPacket(
  pt: number,
  seq: number,
  timestamp: number,
  ssrc: number,
  payload: Buffer,
  marker = false,
): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

function sipText(
  m: { method?: string; status?: number; cseqMethod: string; referTo?: string },
  callId: string,
  cseq: number,
  srcPort: number,
): string {
  const start =
    m.method !== undefined
      ? `${m.method} sip:+18005550300@127.0.0.1:${BRIDGE_SIP_PORT} SIP/2.0`
      : `SIP/2.0 ${m.status} ${m.status === 200 ? 'OK' : 'Status'}`;
  const lines = [
    start,
    `Via: SIP/2.0/UDP 127.0.0.1:${srcPort};branch=z9hG4bK-${callId}-${cseq}-${m.cseqMethod}`,
    'From: <sip:+13125550100@127.0.0.1>;tag=caller',
    'To: <sip:+18005550300@127.0.0.1>;tag=bridge',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${m.cseqMethod}`,
    ...(m.referTo !== undefined ? [`Refer-To: ${m.referTo}`] : []),
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
