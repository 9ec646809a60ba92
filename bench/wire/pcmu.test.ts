import { describe, expect, it } from 'vitest';
import { linearToPcmu, pcmuHexRms, pcmuRms } from './pcmu.ts';

describe('PCMU energy', () => {
  it('reads digital silence as zero and a tone near its RMS', () => {
    expect(pcmuRms(Buffer.alloc(160, 0xff))).toBe(0);
    const tone = Buffer.from(
      Array.from({ length: 160 }, (_, i) => linearToPcmu(4000 * Math.sin((2 * Math.PI * i) / 20))),
    );
    // A sine's RMS is its amplitude over sqrt(2); mu-law keeps it within a few percent.
    expect(pcmuRms(tone)).toBeGreaterThan(2700);
    expect(pcmuRms(tone)).toBeLessThan(2950);
  });

  it('gives the same energy from tshark hex, with or without separators', () => {
    const bytes = Buffer.from([0x00, 0x7f, 0x80, 0xff, 0x12, 0xab]);
    const hex = bytes.toString('hex');
    expect(pcmuHexRms(hex)).toEqual({ rms: pcmuRms(bytes), bytes: 6 });
    expect(pcmuHexRms(hex.toUpperCase().replace(/(..)(?!$)/g, '$1:'))).toEqual({
      rms: pcmuRms(bytes),
      bytes: 6,
    });
  });

  it('encodes silence as 0xff and keeps the sign', () => {
    expect(linearToPcmu(0)).toBe(0xff);
    expect(linearToPcmu(1000) & 0x80).toBe(0x80);
    expect(linearToPcmu(-1000) & 0x80).toBe(0);
  });
});
