/**
 * Writes UDP datagrams on 127.0.0.1 as a classic pcap (Ethernet, IPv4, UDP,
 * microsecond timestamps): what tshark reads back in the wire analysis'
 * tests. Checksums: IPv4 header computed, UDP left 0 (allowed over IPv4).
 */
import { writeFileSync } from 'node:fs';

export type UdpDatagram = Readonly<{
  /** Epoch milliseconds, fractions kept to the microsecond. */
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}>;

/**
 * @example
 * writeUdpPcap('call.pcap', [{ timeMs: Date.now(), srcPort: 31000, dstPort: 29060, payload }]);
 */
export function writeUdpPcap(file: string, datagrams: readonly UdpDatagram[]): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records: Buffer[] = [header];
  for (const d of datagrams) {
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(d.srcPort, 0);
    udp.writeUInt16BE(d.dstPort, 2);
    udp.writeUInt16BE(8 + d.payload.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + d.payload.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frameLength = 14 + 20 + 8 + d.payload.length;
    const micros = Math.round(d.timeMs * 1000);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(micros / 1e6), 0);
    rec.writeUInt32LE(micros % 1e6, 4);
    rec.writeUInt32LE(frameLength, 8);
    rec.writeUInt32LE(frameLength, 12);
    records.push(rec, eth, ip, udp, d.payload);
  }
  writeFileSync(file, Buffer.concat(records));
}

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
