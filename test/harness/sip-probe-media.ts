/**
 * The probe's RTP side (test/harness/sip-probe.ts): a real media socket whose
 * port goes in the SDP offer. Once the call is answered it sends 20 ms PCMU
 * frames to the address in livekit-sip's SDP answer, as a phone does, and
 * RFC 4733 telephone events (payload type 101) on the same stream when told;
 * it keeps what the bridge sent back.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { mulawToLinear } from './audio.ts';

/** Payload type of telephone-event in the probe's offers (`a=rtpmap:101 telephone-event/8000`). */
export const TELEPHONE_EVENT_PT = 101;

export type ReceivedRtp = Readonly<{ atMs: number; payloadType: number; voiced: boolean }>;

export type ProbeMedia = Readonly<{
  /** The local media port, for the offer's `m=audio` line. */
  port: number;
  /** Starts the caller's audio towards the `c=` address and `m=audio` port of `answerSdp`. */
  start: (answerSdp: string) => void;
  /**
   * Sends each key (0-9, *, #) as one RFC 4733 event `spacingMs` apart: a
   * start packet (marker bit) and the end packet three times, all with the
   * event's own timestamp.
   */
  sendDigits: (keys: string, spacingMs: number) => Promise<void>;
  /** RTP received from the bridge so far (epoch ms). */
  received: () => readonly ReceivedRtp[];
  /** Telephone-event packets sent so far. */
  eventPacketsSent: () => number;
  /** Stops sending and closes the socket; safe to call twice. */
  stop: () => void;
}>;

const EVENT_CODES = '0123456789*#';
const SILENCE = 0xff; // mu-law zero
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const media = await openProbeMedia('127.0.0.1');
 * const sdp = probeSdp('127.0.0.1', media.port, [[0, 'PCMU/8000'], [101, 'telephone-event/8000']]);
 */
export async function openProbeMedia(from: string): Promise<ProbeMedia> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  const received: ReceivedRtp[] = [];
  socket.on('message', (data) => {
    if (data.length < 12 || data[0] === undefined || data[0] >> 6 !== 2) return;
    const payloadType = (data[1] ?? 0) & 0x7f;
    received.push({ atMs: Date.now(), payloadType, voiced: payloadType === 0 && voiced(data) });
  });
  const ssrc = randomInt(2 ** 32);
  let seq = randomInt(2 ** 16);
  const baseTs = randomInt(2 ** 31);
  const t0 = Date.now();
  const clock = () => (baseTs + (Date.now() - t0) * 8) >>> 0; // 8 kHz
  let remote: { host: string; port: number } | undefined;
  let audio: NodeJS.Timeout | undefined;
  let lastEventTs = -1;
  let eventPackets = 0;
  let stopped = false;
  const send = (pt: number, marker: boolean, ts: number, payload: Buffer) => {
    if (!remote) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (marker ? 0x80 : 0) | pt;
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(ts >>> 0, 4);
    header.writeUInt32BE(ssrc, 8);
    seq = (seq + 1) & 0xffff;
    socket.send(Buffer.concat([header, payload]), remote.port, remote.host);
  };
  return {
    port: socket.address().port,
    start: (answerSdp) => {
      const host = /^c=IN IP4 (\S+)/m.exec(answerSdp)?.[1];
      const port = Number(/^m=audio (\d+)/m.exec(answerSdp)?.[1]);
      if (!host || !port) throw new Error(`no audio address in the answer:\n${answerSdp}`);
      remote = { host, port };
      const frame = Buffer.alloc(160, SILENCE);
      let n = 0;
      audio = setInterval(() => send(0, n === 0, baseTs + 160 * n++, frame), 20);
    },
    sendDigits: async (keys, spacingMs) => {
      for (const key of keys) {
        const code = EVENT_CODES.indexOf(key);
        if (code < 0) throw new Error(`not a DTMF key: ${key}`);
        // Each event its own timestamp: livekit-sip counts a new digit per new timestamp.
        const ts = Math.max(clock(), lastEventTs + 1);
        lastEventTs = ts;
        const event = (end: boolean) =>
          Buffer.from([code, (end ? 0x80 : 0) | 10, 0, Math.min(255, spacingMs * 4)]);
        send(TELEPHONE_EVENT_PT, true, ts, event(false));
        for (let i = 0; i < 3; i++) send(TELEPHONE_EVENT_PT, false, ts, event(true));
        eventPackets += 4;
        await sleep(spacingMs);
      }
    },
    received: () => received,
    eventPacketsSent: () => eventPackets,
    stop: () => {
      clearInterval(audio);
      remote = undefined;
      if (!stopped) socket.close();
      stopped = true;
    },
  };
}

/** A PCMU frame clearly above line noise (RMS ≥ 300, as test/harness/audio.ts counts voiced). */
function voiced(packet: Buffer): boolean {
  const payload = packet.subarray(12);
  let sum = 0;
  for (const byte of payload) sum += mulawToLinear(byte) ** 2;
  return payload.length > 0 && Math.sqrt(sum / payload.length) >= 300;
}
