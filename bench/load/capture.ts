/**
 * The run's one capture: tshark on loopback writing every packet between the
 * callers and the bridge (SIP between the callers' SIP ports and livekit-sip's
 * port, RTP between the callers' media ports and livekit-sip's RTP range) to
 * a pcap. Traffic among the callers' own processes (the media process asking
 * sipp to hang up) stays out by construction.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';

export type PortRange = readonly [number, number];

export type CaptureFilterSpec = Readonly<{
  callerSip: PortRange;
  callerMedia: PortRange;
  bridgeSip: number;
  bridgeRtp: PortRange;
}>;

/**
 * The BPF capture filter: a packet is kept when one end is a caller port and the other the bridge's.
 *
 * @example
 * captureFilter({ callerSip: [11000, 11003], callerMedia: [12000, 12006], bridgeSip: 29060, bridgeRtp: [49500, 49999] });
 * // 'udp and ((portrange 11000-11003 and port 29060) or (portrange 12000-12006 and portrange 49500-49999))'
 */
export function captureFilter(spec: CaptureFilterSpec): string {
  const range = ([lo, hi]: PortRange) => `portrange ${lo}-${hi}`;
  return (
    `udp and ((${range(spec.callerSip)} and port ${spec.bridgeSip}) or ` +
    `(${range(spec.callerMedia)} and ${range(spec.bridgeRtp)}))`
  );
}

export type CaptureSummary = Readonly<{
  /** Packets the kernel dropped before tshark read them, when tshark said. */
  droppedPackets: number | undefined;
  /** tshark's closing lines. */
  stderr: string;
}>;

/** `stop` is idempotent: later calls return the first one's summary. */
export type Capture = Readonly<{ stop: () => Promise<CaptureSummary> }>;

/**
 * Starts tshark and waits until it captures.
 *
 * tshark says "Capturing on" before dumpcap's filter passes packets (30 ms
 * on a quiet machine, past a second on a loaded one), so readiness is a probe
 * datagram seen in the file, not that line. The probe has its own port and is
 * neither SIP nor RTP, so the wire analysis never reads it.
 *
 * @example
 * const capture = await startCapture('/tmp/run/callers.pcap', captureFilter(spec));
 * // ... calls ...
 * await capture.stop();
 */
export async function startCapture(pcapFile: string, filter: string): Promise<Capture> {
  const probe = await openProbe();
  const child = spawn(
    'tshark',
    [
      '-i',
      'lo',
      '-f',
      `(${filter}) or (udp dst port ${probe.port})`,
      '-B',
      '64',
      '-F',
      'pcap',
      '-w',
      pcapFile,
      '-q',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`tshark did not start capturing: ${stderr}`));
      }, CAPTURE_START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tshark exited with ${code}: ${stderr}`));
      });
      probe
        .seenIn(pcapFile, () => /Capturing on/.test(stderr))
        .then(() => {
          clearTimeout(timer);
          resolve();
        }, reject);
    });
  } finally {
    probe.close();
  }
  let stopped: Promise<CaptureSummary> | undefined;
  const stop = async (): Promise<CaptureSummary> => {
    // The last packets (a BYE's 200, trailing RTP) must reach the file first.
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    await exited;
    const dropped = /(\d+) packets? dropped/i.exec(stderr)?.[1];
    return {
      droppedPackets: dropped === undefined ? undefined : Number(dropped),
      stderr: stderr.trim(),
    };
  };
  return { stop: () => (stopped ??= stop()) };
}

const CAPTURE_START_TIMEOUT_MS = 15_000;
const PROBE_INTERVAL_MS = 50;

type Probe = Readonly<{
  port: number;
  /** Sends probes once `capturing()` holds, until one is in the file; settles only then (or when closed). */
  seenIn: (pcapFile: string, capturing: () => boolean) => Promise<void>;
  close: () => void;
}>;

async function openProbe(): Promise<Probe> {
  const receiver = createSocket('udp4');
  const sender = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    receiver.once('error', reject);
    receiver.bind(0, '127.0.0.1', () => resolve());
  });
  const port = receiver.address().port;
  const token = Buffer.from(`gva-capture-probe-${randomBytes(8).toString('hex')}`);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const socket of [receiver, sender] as Socket[]) socket.close();
  };
  const seenIn = async (pcapFile: string, capturing: () => boolean) => {
    while (!closed) {
      await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
      if (closed || !capturing()) continue;
      sender.send(token, port, '127.0.0.1');
      const written = await readFile(pcapFile).catch(() => Buffer.alloc(0));
      if (written.includes(token)) return;
    }
  };
  return { port, seenIn, close };
}
