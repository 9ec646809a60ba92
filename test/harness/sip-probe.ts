/**
 * A hostile SIP client for the boundary tests: sends one INVITE exactly as
 * written (no SDP, an unsupported codec, hundreds of headers, control
 * characters), from any loopback address, and reports what came back on the
 * wire and when. It answers the bridge as a UAC must (ACK to a final
 * response, 200 to a BYE) and hangs up an answered call itself. sipp plays
 * Genesys everywhere else; this plays what Genesys never should send.
 */
import { createSocket, type Socket } from 'node:dgram';

export type ProbeInvite = Readonly<{
  /** Called number (request URI and To user). */
  dnis: string;
  ani?: string;
  conversationId?: string;
  /** Extra header lines, each without its CRLF. */
  headers?: readonly string[];
  /** The body as sent; no body means no Content-Type. */
  sdp?: string;
  /** Source address (any of 127.0.0.0/8). */
  from?: string;
  /** How long an answered call is held before the probe hangs up. */
  holdMs?: number;
}>;

export type ProbeResult = Readonly<{
  /** Status codes received for the INVITE, in order, with ms since it was sent. */
  responses: readonly Readonly<{ status: number; atMs: number }>[];
  /** The final (≥ 200) status, if one came within the wait. */
  final: number | undefined;
  finalAtMs: number | undefined;
  /** Requests the bridge sent us (BYE...). */
  requests: readonly string[];
}>;

/** An SDP offer from `from` with one audio line; `codecs` is `[payload type, rtpmap]` pairs. */
export function probeSdp(from: string, mediaPort: number, codecs: readonly [number, string][]) {
  return [
    'v=0',
    `o=- 1 1 IN IP4 ${from}`,
    's=probe',
    `c=IN IP4 ${from}`,
    't=0 0',
    `m=audio ${mediaPort} RTP/AVP ${codecs.map(([pt]) => pt).join(' ')}`,
    ...codecs.map(([pt, map]) => `a=rtpmap:${pt} ${map}`),
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/**
 * Sends the INVITE to livekit-sip at `127.0.0.1:sipPort` and waits `waitMs`
 * for what follows.
 *
 * @example
 * const r = await probeInvite(stack.ports.sip, { dnis: '+18005550100' }, 5000);
 * r.final; // 400: no SDP
 */
export async function probeInvite(
  sipPort: number,
  invite: ProbeInvite,
  waitMs: number,
): Promise<ProbeResult> {
  const from = invite.from ?? '127.0.0.1';
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  const local = `${from}:${socket.address().port}`;
  const callId = `probe-${Date.now()}-${Math.random().toString(16).slice(2)}@${from}`;
  const fromHeader = `<sip:${invite.ani ?? '+15551234567'}@${from}>;tag=probe1`;
  const ruri = `sip:${invite.dnis}@127.0.0.1:${sipPort}`;
  const responses: { status: number; atMs: number }[] = [];
  const requests: string[] = [];
  let toHeader = `<sip:${invite.dnis}@127.0.0.1>`;
  let final: number | undefined;
  let finalAtMs: number | undefined;
  const sent = Date.now();
  const send = (text: string) => socket.send(text, sipPort, '127.0.0.1');
  const inDialog = (method: string, cseq: number) =>
    [
      `${method} ${ruri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-${method.toLowerCase()}-${cseq}`,
      `From: ${fromHeader}`,
      `To: ${toHeader}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  let hangup: NodeJS.Timeout | undefined;
  socket.on('message', (data) => {
    const text = data.toString('latin1');
    const startLine = text.slice(0, text.indexOf('\r\n'));
    const status = /^SIP\/2\.0 (\d{3})/.exec(startLine)?.[1];
    if (status === undefined) {
      requests.push(startLine);
      answer(socket, text, sipPort);
      return;
    }
    if (!/^CSeq:\s*1 INVITE/im.test(text)) return;
    const code = Number(status);
    responses.push({ status: code, atMs: Date.now() - sent });
    if (code < 200 || final !== undefined) return;
    final = code;
    finalAtMs = Date.now() - sent;
    toHeader = /^To:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? toHeader;
    send(inDialog('ACK', 1));
    if (code === 200) hangup = setTimeout(() => send(inDialog('BYE', 2)), invite.holdMs ?? 2000);
  });
  const body = invite.sdp ?? '';
  send(
    [
      `INVITE ${ruri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-invite-1`,
      `From: ${fromHeader}`,
      `To: ${toHeader}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:probe@${local}>`,
      'Max-Forwards: 70',
      ...(invite.conversationId ? [`x-inin-cnv: ${invite.conversationId}`] : []),
      ...(invite.headers ?? []),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
      '',
      body,
    ].join('\r\n'),
  );
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  clearTimeout(hangup);
  socket.close();
  return { responses, final, finalAtMs, requests };
}

/** 200 OK to a request the bridge sends in the dialog (BYE), echoing its transaction headers. */
function answer(socket: Socket, request: string, sipPort: number): void {
  const copied = ['Via', 'From', 'To', 'Call-ID', 'CSeq']
    .map((name) => new RegExp(`^${name}:.*$`, 'im').exec(request)?.[0])
    .filter((line): line is string => line !== undefined);
  socket.send(
    ['SIP/2.0 200 OK', ...copied, 'Content-Length: 0', '', ''].join('\r\n'),
    sipPort,
    '127.0.0.1',
  );
}
