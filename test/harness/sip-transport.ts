/**
 * The probe's SIP transport (test/harness/sip-probe.ts): a UDP socket, or a
 * TCP connection framed by Content-Length as RFC 3261 §18.3 has it, from a
 * loopback source address to livekit-sip.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export type SipTransportKind = 'udp' | 'tcp';

export type SipTransport = Readonly<{
  kind: SipTransportKind;
  /** The Via transport token: `UDP` or `TCP`. */
  via: string;
  /** This end's `ip:port` (for Via and Contact). */
  local: string;
  send: (message: string) => void;
  /** Called with each whole message received, as latin1 text. */
  onMessage: (listener: (message: string) => void) => void;
  close: () => void;
}>;

/**
 * Opens the transport from `from` to `127.0.0.1:sipPort`.
 *
 * @example
 * const t = await openSipTransport('tcp', '127.0.0.1', stack.ports.sip);
 * t.onMessage((m) => console.log(m.slice(0, m.indexOf('\r\n'))));
 */
export async function openSipTransport(
  kind: SipTransportKind,
  from: string,
  sipPort: number,
): Promise<SipTransport> {
  let listener: (message: string) => void = () => {};
  const onMessage = (l: (message: string) => void) => void (listener = l);
  if (kind === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
    socket.on('message', (data) => listener(data.toString('latin1')));
    return {
      kind,
      via: 'UDP',
      local: `${from}:${socket.address().port}`,
      send: (m) => socket.send(Buffer.from(m, 'latin1'), sipPort, '127.0.0.1'),
      onMessage,
      close: () => socket.close(),
    };
  }
  const socket = connect({ host: '127.0.0.1', port: sipPort, localAddress: from });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {}); // the bridge closing the connection ends the probe's call, not the test
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const message = nextFrame(buffered);
      if (!message) return;
      buffered = buffered.subarray(message.length);
      const text = message.toString('latin1');
      if (text.trim() !== '') listener(text); // CRLF keep-alives carry no message
    }
  });
  return {
    kind,
    via: 'TCP',
    local: `${from}:${socket.localPort ?? 0}`,
    send: (m) => void socket.write(Buffer.from(m, 'latin1')),
    onMessage,
    close: () => socket.destroy(),
  };
}

/** The first whole message in a TCP stream (headers, blank line, Content-Length bytes), if complete. */
function nextFrame(stream: Buffer): Buffer | undefined {
  const leadingBlank = /^(\r\n)+/.exec(stream.subarray(0, 8).toString('latin1'))?.[0].length ?? 0;
  if (leadingBlank > 0) return stream.subarray(0, leadingBlank);
  const end = stream.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = stream.subarray(0, end).toString('latin1');
  const length = Number(/^(?:Content-Length|l)\s*:\s*(\d+)/im.exec(head)?.[1] ?? 0);
  const total = end + 4 + length;
  return stream.length >= total ? stream.subarray(0, total) : undefined;
}
