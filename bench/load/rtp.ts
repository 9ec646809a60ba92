/**
 * The caller's RTP as a Genesys edge sends it: one SSRC per call, sequence
 * number and timestamp continuous across speech, silence and digits (8 kHz
 * clock, 160 samples per 20 ms packet), marker bit on the first packet of a
 * talk spurt and of a telephone-event, PCMU (payload type 0) for audio and
 * RFC 4733 telephone-event (payload type 101) for digits. Pure functions.
 */
import { mulawToLinear } from '../../test/harness/audio.ts';

/** G.711 mu-law byte to 16-bit linear PCM (the harness's decoder). */
export { mulawToLinear };

export const PCMU_PAYLOAD_TYPE = 0;
export const TELEPHONE_EVENT_PAYLOAD_TYPE = 101;
/** Samples (and mu-law bytes) per 20 ms packet at 8 kHz. */
export const SAMPLES_PER_PACKET = 160;
export const PACKET_MS = 20;
/** mu-law code of a zero sample: line silence. */
export const MULAW_SILENCE = 0xff;

const RTP_HEADER_BYTES = 12;

export type RtpHeader = Readonly<{
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}>;

/**
 * Serializes one RTP packet (version 2, no padding, extension or CSRCs).
 *
 * @example
 * const packet = rtpPacket({ payloadType: 0, marker: true, sequence: 1, timestamp: 160, ssrc: 42 }, silence);
 * packet.length; // 12 + silence.length
 */
export function rtpPacket(header: RtpHeader, payload: Uint8Array): Buffer {
  const packet = Buffer.alloc(RTP_HEADER_BYTES + payload.length);
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  packet.writeUInt16BE(header.sequence & 0xffff, 2);
  packet.writeUInt32BE(header.timestamp >>> 0, 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
  packet.set(payload, RTP_HEADER_BYTES);
  return packet;
}

/**
 * Reads the fixed header and payload of an RTP packet (CSRCs, extension and
 * padding skipped); undefined when it is not RTP version 2.
 *
 * @example
 * parseRtp(rtpPacket({ payloadType: 0, marker: false, sequence: 7, timestamp: 0, ssrc: 1 }, frame))?.sequence; // 7
 */
export function parseRtp(packet: Uint8Array): (RtpHeader & { payload: Uint8Array }) | undefined {
  if (packet.length < RTP_HEADER_BYTES || (packet[0] ?? 0) >> 6 !== 2) return undefined;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const first = packet[0] ?? 0;
  let offset = RTP_HEADER_BYTES + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = packet.length;
  if (first & 0x20) end -= packet[packet.length - 1] ?? 0;
  if (end < offset) return undefined;
  return {
    payloadType: (packet[1] ?? 0) & 0x7f,
    marker: ((packet[1] ?? 0) & 0x80) !== 0,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: packet.subarray(offset, end),
  };
}

/**
 * The sending side of one RTP stream: every packet takes the next sequence
 * number; the timestamp advances one packet's worth of samples per 20 ms
 * tick, whatever was sent in it, so digits and silence keep the clock.
 */
export class RtpStream {
  readonly ssrc: number;
  #sequence: number;
  #timestamp: number;

  /** Initial sequence number and timestamp should be random (RFC 3550). */
  constructor(ssrc: number, initialSequence: number, initialTimestamp: number) {
    this.ssrc = ssrc >>> 0;
    this.#sequence = initialSequence & 0xffff;
    this.#timestamp = initialTimestamp >>> 0;
  }

  /** Timestamp of the current tick. */
  get timestamp(): number {
    return this.#timestamp;
  }

  /**
   * A packet in the current tick (call {@link tick} once per 20 ms).
   *
   * @example
   * const stream = new RtpStream(0x1234, 100, 0);
   * socket.send(stream.packet(PCMU_PAYLOAD_TYPE, frame, true));
   * stream.tick();
   */
  packet(payloadType: number, payload: Uint8Array, marker = false, timestamp?: number): Buffer {
    const packet = rtpPacket(
      {
        payloadType,
        marker,
        sequence: this.#sequence,
        timestamp: timestamp ?? this.#timestamp,
        ssrc: this.ssrc,
      },
      payload,
    );
    this.#sequence = (this.#sequence + 1) & 0xffff;
    return packet;
  }

  /** Advances the media clock by one packet time; `ticks` > 1 when packets were skipped. */
  tick(ticks = 1): void {
    this.#timestamp = (this.#timestamp + ticks * SAMPLES_PER_PACKET) >>> 0;
  }
}

const EVENT_CODES: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries([...'0123456789'].map((d) => [d, Number(d)])),
  '*': 10,
  '#': 11,
});

/**
 * RFC 4733 event code of a keypad key.
 *
 * @throws for anything but 0-9, `*` and `#`
 * @example
 * dtmfEventCode('#'); // 11
 */
export function dtmfEventCode(key: string): number {
  const code = EVENT_CODES[key];
  if (code === undefined) throw new RangeError(`not a keypad key: ${JSON.stringify(key)}`);
  return code;
}

/**
 * The 4-byte telephone-event payload: event, end bit, volume (-dBm0), duration in samples.
 *
 * @example
 * telephoneEventPayload({ code: 1, end: true, volume: 10, durationSamples: 1280 }); // <01 8a 05 00>
 */
export function telephoneEventPayload(e: {
  code: number;
  end: boolean;
  volume: number;
  durationSamples: number;
}): Buffer {
  const b = Buffer.alloc(4);
  b[0] = e.code;
  b[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  b.writeUInt16BE(Math.min(0xffff, e.durationSamples), 2);
  return b;
}

export type DtmfPacketPlan = Readonly<{ payload: Buffer; marker: boolean }>;

/**
 * The telephone-event payloads of one key press, one per 20 ms tick: the key
 * held for `keyMs` (duration growing by 160 samples a tick, marker on the
 * first), then the end packet three times with the final duration. Every
 * packet carries the timestamp of the event's start (the caller's job).
 *
 * @example
 * dtmfKeyPress('1').length; // 7 updates + 3 end packets for the default 160 ms
 */
export function dtmfKeyPress(key: string, keyMs = 160, volume = 10): DtmfPacketPlan[] {
  const code = dtmfEventCode(key);
  const steps = Math.max(1, Math.round(keyMs / PACKET_MS));
  const plan: DtmfPacketPlan[] = [];
  for (let i = 1; i < steps; i++) {
    plan.push({
      payload: telephoneEventPayload({
        code,
        end: false,
        volume,
        durationSamples: i * SAMPLES_PER_PACKET,
      }),
      marker: i === 1,
    });
  }
  const final = telephoneEventPayload({
    code,
    end: true,
    volume,
    durationSamples: steps * SAMPLES_PER_PACKET,
  });
  for (let copy = 0; copy < 3; copy++)
    plan.push({ payload: final, marker: steps === 1 && copy === 0 });
  return plan;
}

const MULAW_TABLE = Int16Array.from({ length: 256 }, (_, b) => mulawToLinear(b));

/**
 * Root mean square of a PCMU frame, in linear 16-bit units.
 *
 * @example
 * mulawFrameRms(new Uint8Array(160).fill(0xff)); // 0
 */
export function mulawFrameRms(frame: Uint8Array): number {
  if (frame.length === 0) return 0;
  let sum = 0;
  for (const b of frame) {
    const s = MULAW_TABLE[b] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / frame.length);
}
