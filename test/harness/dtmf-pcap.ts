/**
 * Writes a keypad sequence as RFC 2833 (RFC 4733) telephone-event RTP in a
 * pcap that sipp replays with `play_pcap_audio`. sipp's own per-digit pcaps
 * cannot be chained: each repeats its RTP timestamp and sequence numbers, so a
 * receiver takes a repeated digit (the second 0 of "2040") for the same event.
 * Here every key is a new event: its own timestamp, rising sequence numbers,
 * one SSRC, end packets sent three times as the RFC asks.
 */
import { writeFileSync } from 'node:fs';

const EVENT_CODES: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries([...'0123456789'].map((d) => [d, Number(d)])),
  '*': 10,
  '#': 11,
});

export type DtmfPcapOptions = Readonly<{
  /** RTP payload type of telephone-event in the call's SDP. Default 101. */
  payloadType?: number;
  /** How long each key is held. Default 160 ms. */
  keyMs?: number;
  /** Silence between keys. Default 240 ms. */
  gapMs?: number;
}>;

/**
 * @example
 * writeDtmfPcap('caller-keys.pcap', '12345#,,2040'); // account, a 2 s pause, PIN
 * @returns how long the sequence lasts, in ms
 */
export function writeDtmfPcap(file: string, keys: string, opts: DtmfPcapOptions = {}): number {
  const pt = opts.payloadType ?? 101;
  const keyMs = opts.keyMs ?? 160;
  const gapMs = opts.gapMs ?? 240;
  const packets: { atMs: number; rtp: Buffer }[] = [];
  let seq = 1000;
  let atMs = 0;
  const ssrc = 0x47454e59; // "GENY"
  for (const key of keys) {
    if (key === ',') {
      atMs += 1000;
      continue;
    }
    const code = EVENT_CODES[key];
    if (code === undefined) throw new Error(`not a keypad key: ${JSON.stringify(key)}`);
    const timestamp = 8000 + atMs * 8; // 8 kHz clock; the event's start
    const steps = Math.max(1, Math.round(keyMs / 20));
    for (let i = 1; i <= steps; i++) {
      const end = i === steps;
      const event = telephoneEvent(code, end, i * 160);
      for (let copy = 0; copy < (end ? 3 : 1); copy++) {
        packets.push({
          atMs: atMs + i * 20,
          rtp: rtpPacket(pt, i === 1, seq, timestamp, ssrc, event),
        });
      }
      seq++;
    }
    atMs += keyMs + gapMs;
  }
  writeFileSync(file, pcap(packets));
  return atMs;
}

function telephoneEvent(code: number, end: boolean, duration: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = code;
  b[1] = (end ? 0x80 : 0) | 10; // E bit, volume -10 dBm0
  b.writeUInt16BE(duration, 2);
  return b;
}

function rtpPacket(
  pt: number,
  marker: boolean,
  seq: number,
  timestamp: number,
  ssrc: number,
  payload: Buffer,
): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80; // version 2
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(timestamp >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** Ethernet/IPv4/UDP frames around each RTP packet; sipp rewrites addresses and ports. */
function pcap(packets: readonly { atMs: number; rtp: Buffer }[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = packets.map(({ atMs, rtp }) => {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(49176, 0);
    udp.writeUInt16BE(10000, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + udp.length + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17; // UDP
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    const seconds = 1_700_000_000 + Math.floor(atMs / 1000);
    rec.writeUInt32LE(seconds, 0);
    rec.writeUInt32LE((atMs % 1000) * 1000, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([global, ...records]);
}

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
