/**
 * Captures the RTP that reaches (and leaves) the simulated Genesys media port,
 * on the loopback interface with tshark: what the caller really received on
 * the wire.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mulawToLinear } from './audio.ts';

export type RtpPacket = Readonly<{
  time: number;
  srcPort: number;
  dstPort: number;
  payloadType: number;
  seq: number;
  payload: Buffer;
}>;

export type RtpCapture = Readonly<{ stop: () => Promise<RtpPacket[]> }>;

export async function startRtpCapture(port: number, pcapFile: string): Promise<RtpCapture> {
  const child = spawn('tshark', ['-i', 'lo', '-f', `udp port ${port}`, '-w', pcapFile, '-q'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`tshark did not start capturing: ${stderr}`)),
      10_000,
    );
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/Capturing on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited with ${code}: ${stderr}`));
    });
  });
  return {
    stop: async () => {
      // Let the last packets be written before stopping the capture.
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      await exited;
      return readRtp(pcapFile, port);
    },
  };
}

export function readRtp(pcapFile: string, port: number): RtpPacket[] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      pcapFile,
      '-d',
      `udp.port==${port},rtp`,
      '-Y',
      'rtp',
      '-T',
      'fields',
      '-E',
      'separator=;',
      '-e',
      'frame.time_epoch',
      '-e',
      'udp.srcport',
      '-e',
      'udp.dstport',
      '-e',
      'rtp.p_type',
      '-e',
      'rtp.seq',
      '-e',
      'rtp.payload',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [time = '0', src = '0', dst = '0', pt = '-1', seq = '0', payload = ''] =
        line.split(';');
      return {
        time: Number(time),
        srcPort: Number(src),
        dstPort: Number(dst),
        payloadType: Number(pt),
        seq: Number(seq),
        payload: Buffer.from(payload.replace(/:/g, ''), 'hex'),
      };
    });
}

/** Concatenated PCMU audio of the given packets, in sequence order, as linear PCM. */
export function pcmuAudio(packets: readonly RtpPacket[]): Int16Array {
  const sorted = packets.filter((p) => p.payloadType === 0).sort((a, b) => a.time - b.time);
  const total = sorted.reduce((n, p) => n + p.payload.length, 0);
  const samples = new Int16Array(total);
  let i = 0;
  for (const p of sorted) for (const b of p.payload) samples[i++] = mulawToLinear(b);
  return samples;
}
