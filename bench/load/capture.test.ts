import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../wire/capture.ts';
import { startCapture } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'gva-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startCapture', () => {
  it('captures the first datagram sent once it resolves, and the wire analysis never reads its probe', async () => {
    const receiver = createSocket('udp4');
    const sender = createSocket('udp4');
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', () => resolve()));
    const port = receiver.address().port;
    const pcapFile = join(dir, 'first.pcap');
    try {
      const capture = await startCapture(pcapFile, `udp and dst port ${port}`);
      await new Promise<void>((resolve, reject) =>
        sender.send(Buffer.from('first-datagram'), port, '127.0.0.1', (e) =>
          e ? reject(e) : resolve(),
        ),
      );
      await capture.stop();
    } finally {
      receiver.close();
      sender.close();
    }
    const written = readFileSync(pcapFile);
    expect(written.includes(Buffer.from('first-datagram'))).toBe(true);
    expect(written.includes(Buffer.from('gva-capture-probe-'))).toBe(true);
    expect(readCapture(pcapFile, { sip: [], media: [] })).toMatchObject({ sip: [], rtp: [] });
  }, 30_000);
});
