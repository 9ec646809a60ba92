/**
 * Reads a load run's capture once with tshark (fields export) into SIP
 * messages and RTP frames. RTP is decoded only on the callers' media ports
 * (`-d udp.port==P,rtp`), SIP on the callers' SIP ports, so nothing else on
 * loopback is taken for either. PCMU payloads are reduced to their energy
 * while reading: the analysis never needs the samples themselves.
 */
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { pcmuHexRms } from './pcmu.ts';

/** RTP payload types: PCMU is the only audio codec the bench offers. */
export const PT_PCMU = 0;
export const PT_COMFORT_NOISE = 13;

export type SipMessage = Readonly<{
  timeMs: number;
  srcPort: number;
  dstPort: number;
  callId: string;
  /** Request method; undefined for a response. */
  method: string | undefined;
  /** Response status; undefined for a request. */
  status: number | undefined;
  cseqMethod: string | undefined;
  referTo: string | undefined;
}>;

export type RtpFrame = Readonly<{
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payloadBytes: number;
  /** RMS of the decoded PCMU payload (16-bit linear units); 0 for any other payload type. */
  rms: number;
}>;

export type WireCapture = Readonly<{
  sip: readonly SipMessage[];
  rtp: readonly RtpFrame[];
}>;

/** The fields asked of tshark, in the column order `parseTsharkFields` reads. */
export const TSHARK_FIELDS = [
  'frame.time_epoch',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'sip.Call-ID',
  'sip.Method',
  'sip.Status-Code',
  'sip.CSeq.method',
  'sip.Refer-To',
  'rtp.p_type',
  'rtp.seq',
  'rtp.timestamp',
  'rtp.ssrc',
  'rtp.marker',
  'rtp.payload',
] as const;

const optionalText = z.string().transform((s) => (s === '' ? undefined : s));
const sipRow = z.object({
  callId: z.string().min(1),
  method: optionalText,
  status: z
    .string()
    .transform((s) => (s === '' ? undefined : Number(s)))
    .pipe(z.number().int().min(100).max(699).optional()),
  cseqMethod: optionalText,
  referTo: optionalText,
});

/**
 * Parses tshark's tab-separated fields export (columns as in TSHARK_FIELDS).
 * Throws on a row it cannot read: a silent skip would bias every figure.
 *
 * @example
 * const { sip, rtp } = parseTsharkFields(stdout);
 */
export function parseTsharkFields(text: string): WireCapture {
  const sip: SipMessage[] = [];
  const rtp: RtpFrame[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    const c = line.split('\t');
    const timeMs = Number(c[0]) * 1000;
    if (!Number.isFinite(timeMs)) throw new Error(`tshark row without a time: ${line}`);
    const srcPort = portOf(c[1] || c[3], line);
    const dstPort = portOf(c[2] || c[4], line);
    if (c[5]) {
      const row = sipRow.parse({
        callId: c[5],
        method: c[6] ?? '',
        status: c[7] ?? '',
        cseqMethod: c[8] ?? '',
        referTo: c[9] ?? '',
      });
      sip.push({ timeMs, srcPort, dstPort, ...row, status: row.status });
      continue;
    }
    if (!c[10]) continue;
    const payloadType = Number(c[10]);
    const seq = Number(c[11]);
    const timestamp = Number(c[12]);
    const ssrc = Number(c[13]);
    if (![payloadType, seq, timestamp, ssrc].every(Number.isInteger))
      throw new Error(`tshark RTP row not understood: ${line}`);
    const payload =
      payloadType === PT_PCMU
        ? pcmuHexRms(c[15] ?? '')
        : { rms: 0, bytes: (c[15] ?? '').length / 2 };
    rtp.push({
      timeMs,
      srcPort,
      dstPort,
      payloadType,
      seq,
      timestamp,
      ssrc,
      marker: c[14] === '1' || c[14] === 'True',
      payloadBytes: payload.bytes,
      rms: payload.rms,
    });
  }
  sip.sort((a, b) => a.timeMs - b.timeMs);
  rtp.sort((a, b) => a.timeMs - b.timeMs);
  return { sip, rtp };
}

function portOf(field: string | undefined, line: string): number {
  const n = Number(field);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || field === '')
    throw new Error(`tshark row without UDP/TCP ports: ${line}`);
  return n;
}

/** tshark's arguments for one pass over the capture (exported for tests and for reuse by hand). */
export function tsharkArgs(
  pcapFile: string,
  ports: Readonly<{ sip: readonly number[]; media: readonly number[] }>,
): string[] {
  const decodeAs = [
    ...ports.sip.flatMap((p) => ['-d', `udp.port==${p},sip`, '-d', `tcp.port==${p},sip`]),
    ...ports.media.flatMap((p) => ['-d', `udp.port==${p},rtp`]),
  ];
  return [
    '-r',
    pcapFile,
    '-n',
    ...decodeAs,
    // ICMP errors quote the packet they answer: not a second copy of it.
    '-Y',
    '(sip || rtp) && !icmp',
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=f',
    '-E',
    'quote=n',
    ...TSHARK_FIELDS.flatMap((f) => ['-e', f]),
  ];
}

/**
 * Reads the capture with one tshark pass.
 *
 * @example
 * const capture = readCapture('run.pcap', { sip: [31000], media: [32000] });
 */
export function readCapture(
  pcapFile: string,
  ports: Readonly<{ sip: readonly number[]; media: readonly number[] }>,
): WireCapture {
  const result = spawnSync('tshark', tsharkArgs(pcapFile, ports), {
    encoding: 'utf8',
    maxBuffer: 2 * 1024 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw new Error(`tshark could not read ${pcapFile}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`tshark exited with ${result.status} reading ${pcapFile}: ${result.stderr}`);
  return parseTsharkFields(result.stdout);
}
