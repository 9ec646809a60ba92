import { describe, expect, it } from 'vitest';
import {
  dtmfEventCode,
  dtmfKeyPress,
  MULAW_SILENCE,
  mulawFrameRms,
  mulawToLinear,
  parseRtp,
  PCMU_PAYLOAD_TYPE,
  rtpPacket,
  RtpStream,
  TELEPHONE_EVENT_PAYLOAD_TYPE,
} from './rtp.ts';

const silence = new Uint8Array(160).fill(MULAW_SILENCE);

describe('rtpPacket', () => {
  it('writes a version 2 header with marker, payload type, sequence, timestamp and SSRC', () => {
    const packet = rtpPacket(
      { payloadType: 0, marker: true, sequence: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304 },
      silence,
    );
    expect(packet.length).toBe(172);
    expect(packet[0]).toBe(0x80);
    expect(packet[1]).toBe(0x80);
    expect(packet.readUInt16BE(2)).toBe(0x1234);
    expect(packet.readUInt32BE(4)).toBe(0xdeadbeef);
    expect(packet.readUInt32BE(8)).toBe(0x01020304);
    expect(packet.subarray(12).every((b) => b === MULAW_SILENCE)).toBe(true);
  });

  it('round-trips through parseRtp', () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const parsed = parseRtp(
      rtpPacket(
        { payloadType: 101, marker: false, sequence: 65535, timestamp: 7, ssrc: 9 },
        payload,
      ),
    );
    expect(parsed).toMatchObject({
      payloadType: 101,
      marker: false,
      sequence: 65535,
      timestamp: 7,
      ssrc: 9,
    });
    expect([...(parsed?.payload ?? [])]).toEqual([1, 2, 3]);
  });

  it('skips CSRCs and a header extension, and refuses what is not RTP v2', () => {
    const base = rtpPacket(
      { payloadType: 0, marker: false, sequence: 1, timestamp: 2, ssrc: 3 },
      new Uint8Array(),
    );
    // One CSRC, extension of one word, then a 2-byte payload.
    const packet = Buffer.concat([
      base,
      Buffer.from([0, 0, 0, 5]),
      Buffer.from([0xbe, 0xde, 0, 1, 9, 9, 9, 9]),
      Buffer.from([0xaa, 0xbb]),
    ]);
    packet[0] = 0x80 | 0x10 | 1;
    expect([...(parseRtp(packet)?.payload ?? [])]).toEqual([0xaa, 0xbb]);
    expect(parseRtp(Buffer.from('INVITE sip:x SIP/2.0'))).toBeUndefined();
  });
});

describe('RtpStream', () => {
  it('numbers packets in sequence and advances the timestamp one packet per tick, wrapping both', () => {
    const stream = new RtpStream(42, 65535, 0xffffff60);
    const a = parseRtp(stream.packet(PCMU_PAYLOAD_TYPE, silence, true));
    stream.tick();
    const b = parseRtp(stream.packet(PCMU_PAYLOAD_TYPE, silence));
    stream.tick(3);
    const c = parseRtp(stream.packet(PCMU_PAYLOAD_TYPE, silence));
    expect([a?.sequence, b?.sequence, c?.sequence]).toEqual([65535, 0, 1]);
    expect([a?.timestamp, b?.timestamp, c?.timestamp]).toEqual([0xffffff60, 0, 480]);
    expect([a?.marker, b?.marker]).toEqual([true, false]);
    expect(new Set([a?.ssrc, b?.ssrc, c?.ssrc])).toEqual(new Set([42]));
  });

  it('keeps an event timestamp given to a packet without moving its own clock', () => {
    const stream = new RtpStream(1, 10, 1000);
    const event = parseRtp(stream.packet(TELEPHONE_EVENT_PAYLOAD_TYPE, Buffer.alloc(4), true, 500));
    const audio = parseRtp(stream.packet(PCMU_PAYLOAD_TYPE, silence));
    expect(event?.timestamp).toBe(500);
    expect(audio?.timestamp).toBe(1000);
    expect(audio?.sequence).toBe(11);
  });
});

describe('DTMF (RFC 4733)', () => {
  it('maps keypad keys to event codes', () => {
    expect(['0', '1', '9', '*', '#'].map(dtmfEventCode)).toEqual([0, 1, 9, 10, 11]);
    expect(() => dtmfEventCode('A')).toThrow(RangeError);
  });

  it('holds the key with growing durations, marker first, then three identical end packets', () => {
    const plan = dtmfKeyPress('1', 160, 10);
    expect(plan).toHaveLength(10);
    expect(plan.map((p) => p.marker)).toEqual([true, ...Array<boolean>(9).fill(false)]);
    const fields = plan.map((p) => ({
      code: p.payload[0],
      end: ((p.payload[1] ?? 0) & 0x80) !== 0,
      volume: (p.payload[1] ?? 0) & 0x3f,
      duration: p.payload.readUInt16BE(2),
    }));
    expect(fields.slice(0, 7).map((f) => f.duration)).toEqual([160, 320, 480, 640, 800, 960, 1120]);
    expect(fields.slice(0, 7).every((f) => !f.end && f.code === 1 && f.volume === 10)).toBe(true);
    expect(fields.slice(7)).toEqual(
      Array(3).fill({ code: 1, end: true, volume: 10, duration: 1280 }),
    );
  });

  it('marks the first end packet of a press shorter than one packet', () => {
    const plan = dtmfKeyPress('#', 10);
    expect(plan.map((p) => p.marker)).toEqual([true, false, false]);
    expect(plan[0]?.payload.readUInt16BE(2)).toBe(160);
  });
});

describe('PCMU', () => {
  it('decodes mu-law silence to zero and the extremes to full scale', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0x80)).toBe(32124);
  });

  it('measures frame energy: zero for silence, large for a loud frame', () => {
    expect(mulawFrameRms(silence)).toBe(0);
    const loud = new Uint8Array(160).map((_, i) => (i % 2 ? 0x00 : 0x80));
    expect(mulawFrameRms(loud)).toBe(32124);
    expect(mulawFrameRms(new Uint8Array())).toBe(0);
  });
});
