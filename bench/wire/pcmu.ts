/**
 * G.711 mu-law (PCMU) frame energy: what the voice-activity timeline is built
 * from. One RTP packet of PCMU carries 8 samples per millisecond.
 */

/** Samples per millisecond of PCMU (8 kHz clock). */
export const PCMU_SAMPLES_PER_MS = 8;

/** The squared linear value of every mu-law byte (ITU-T G.711, 14-bit range scaled to 16 bits). */
const SQUARED: Float64Array = (() => {
  const table = new Float64Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const u = ~byte & 0xff;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    table[byte] = magnitude * magnitude;
  }
  return table;
})();

/**
 * Root mean square of a PCMU payload in 16-bit linear units (0 for digital silence, 0xFF).
 *
 * @example
 * pcmuRms(Buffer.alloc(160, 0xff)); // 0
 */
export function pcmuRms(payload: Uint8Array): number {
  if (payload.length === 0) return 0;
  let sum = 0;
  for (const byte of payload) sum += SQUARED[byte] ?? 0;
  return Math.sqrt(sum / payload.length);
}

/**
 * Linear 16-bit sample to mu-law byte (for synthetic streams in tests and tools).
 *
 * @example
 * linearToPcmu(0); // 0xff
 */
export function linearToPcmu(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-CLIP, Math.min(CLIP, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const HEX: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    t['0123456789abcdef'.charCodeAt(i)] = i;
    t['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return t;
})();

/**
 * RMS and byte count of a PCMU payload given as hex (tshark's `rtp.payload`, with or without
 * ':' between bytes), read without building a buffer: a run's capture holds ~10^5 payloads.
 *
 * @example
 * pcmuHexRms('ffff'); // { rms: 0, bytes: 2 }
 */
export function pcmuHexRms(hex: string): { rms: number; bytes: number } {
  let sum = 0;
  let bytes = 0;
  let high = -1;
  for (let i = 0; i < hex.length; i++) {
    const nibble = HEX[hex.charCodeAt(i)] ?? -1;
    if (nibble < 0) continue;
    if (high < 0) {
      high = nibble;
      continue;
    }
    sum += SQUARED[(high << 4) | nibble] ?? 0;
    bytes++;
    high = -1;
  }
  return { rms: bytes === 0 ? 0 : Math.sqrt(sum / bytes), bytes };
}
