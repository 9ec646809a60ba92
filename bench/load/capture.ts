/**
 * The run's one capture: tshark on loopback writing every packet between the
 * callers and the bridge (SIP between the callers' SIP ports and livekit-sip's
 * port, RTP between the callers' media ports and livekit-sip's RTP range) to
 * a pcap. Traffic among the callers' own processes (the media process asking
 * sipp to hang up) stays out by construction.
 */
import { spawn } from 'node:child_process';

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
 * captureFilter({ callerSip: [31000, 31003], callerMedia: [32000, 32006], bridgeSip: 29060, bridgeRtp: [49500, 49999] });
 * // 'udp and ((portrange 31000-31003 and port 29060) or (portrange 32000-32006 and portrange 49500-49999))'
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
 * @example
 * const capture = await startCapture('/tmp/run/callers.pcap', captureFilter(spec));
 * // ... calls ...
 * await capture.stop();
 */
export async function startCapture(pcapFile: string, filter: string): Promise<Capture> {
  const child = spawn(
    'tshark',
    ['-i', 'lo', '-f', filter, '-B', '64', '-F', 'pcap', '-w', pcapFile, '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tshark did not start capturing: ${stderr}`));
    }, 15_000);
    const onData = () => {
      if (/Capturing on/.test(stderr)) {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        resolve();
      }
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited with ${code}: ${stderr}`));
    });
  });
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
