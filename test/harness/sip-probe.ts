/**
 * A hostile SIP client for the boundary tests: sends one INVITE exactly as
 * written (no SDP, an unsupported codec, hundreds of headers, control
 * characters), over UDP or TCP from any loopback address, and reports what
 * came back on the wire and when. It behaves as a UAC must (ACK to every
 * final response, 200 to a BYE, 202 and a NOTIFY to a REFER), answers a
 * digest challenge when given credentials, can abandon the call while it
 * rings (CANCEL), and drives an answered call through a `midCall` script
 * (re-INVITEs, waiting for the REFER) before it hangs up itself. sipp plays
 * Genesys everywhere else; this plays what Genesys never should send.
 */
import { digestAuthorization, type DigestCredentials } from './sip-digest.ts';
import type { ProbeMedia } from './sip-probe-media.ts';
import { openSipTransport, type SipTransportKind } from './sip-transport.ts';

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
  /** Default udp. */
  transport?: SipTransportKind;
  /** Answers one 401/407 challenge with these, on a new INVITE with the next CSeq. */
  auth?: DigestCredentials;
  /** Sends CANCEL at the first 180/183, as a caller who gives up while it rings. */
  cancelOnRinging?: boolean;
  /** The caller's RTP (its port must be the offer's): started when the call is answered. */
  media?: ProbeMedia;
  /** How long an answered call is held before the probe hangs up (without `midCall`). */
  holdMs?: number;
  /** Runs once the call is answered, instead of the hold; the probe hangs up after it unless the bridge did. */
  midCall?: (dialog: ProbeDialog) => Promise<void>;
}>;

export type ProbeDialog = Readonly<{
  /** A re-INVITE in the dialog with the offer's SDP and `headers`: its final status, undefined without one in 5 s. */
  reinvite: (headers?: readonly string[]) => Promise<number | undefined>;
  /** True once the bridge has sent a request with this method (REFER, BYE); false after `timeoutMs`. */
  requestSeen: (method: string, timeoutMs: number) => Promise<boolean>;
}>;

export type ProbeResult = Readonly<{
  /** The INVITE's Call-ID. */
  callId: string;
  /** Statuses received for the call's INVITE (and its authenticated retry), ms since the first was sent. */
  responses: readonly Readonly<{ status: number; atMs: number; cseq: number }>[];
  /** The final (≥ 200) status of the last INVITE attempt, if one came within the wait. */
  final: number | undefined;
  finalAtMs: number | undefined;
  /** Requests the bridge sent us (BYE, REFER...), start lines. */
  requests: readonly string[];
  /** Final statuses of the mid-call re-INVITEs, in order. */
  reinvites: readonly (number | undefined)[];
  /** When the probe sent its CANCEL, ms since the first INVITE. */
  cancelAtMs: number | undefined;
  /** When the bridge hung up (its BYE), ms since the first INVITE. */
  byeAtMs: number | undefined;
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
    ...codecs.filter(([, map]) => /^telephone-event/.test(map)).map(([pt]) => `a=fmtp:${pt} 0-15`),
    'a=sendrecv',
    '',
  ].join('\r\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headerOf = (msg: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(msg)?.[1]?.trim();

/**
 * Sends the INVITE to livekit-sip at `127.0.0.1:sipPort` and waits `waitMs`
 * for what follows (longer if the call is still up then: until it is over).
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
  const t = await openSipTransport(invite.transport ?? 'udp', from, sipPort);
  const callId = `probe-${Date.now()}-${Math.random().toString(16).slice(2)}@${from}`;
  const fromHeader = `<sip:${invite.ani ?? '+15551234567'}@${from}>;tag=probe1`;
  const ruri = `sip:${invite.dnis}@127.0.0.1:${sipPort}`;
  const contact = `<sip:probe@${t.local}${t.kind === 'tcp' ? ';transport=tcp' : ''}>`;
  const body = invite.sdp ?? '';
  const responses: { status: number; atMs: number; cseq: number }[] = [];
  const requests: string[] = [];
  const reinvites: (number | undefined)[] = [];
  const pending = new Map<string, (status: number) => void>();
  const waiters: { method: string; resolve: (seen: boolean) => void }[] = [];
  let toHeader = `<sip:${invite.dnis}@127.0.0.1>`;
  let target = ruri; // the bridge's Contact once answered
  let cseq = 1;
  let inviteCseq = 1;
  let authAnswered = false;
  let final: number | undefined;
  let finalAtMs: number | undefined;
  let cancelAtMs: number | undefined;
  let byeAtMs: number | undefined;
  let answered: Promise<void> | undefined;
  const sent = Date.now();
  const since = () => Date.now() - sent;
  const branch = (c: number, method = 'invite') => `z9hG4bK-${method}-${c}-${callId.slice(6, 19)}`;
  type Parts = Readonly<{
    uri?: string;
    branchOf?: string;
    extra?: readonly string[];
    content?: string;
    type?: string;
  }>;
  const request = (method: string, c: number, p: Parts = {}) =>
    [
      `${method} ${p.uri ?? target} SIP/2.0`,
      `Via: SIP/2.0/${t.via} ${t.local};branch=${p.branchOf ?? branch(c, method.toLowerCase())}`,
      `From: ${fromHeader}`,
      `To: ${toHeader}`,
      `Call-ID: ${callId}`,
      `CSeq: ${c} ${method}`,
      ...(method === 'INVITE' || method === 'NOTIFY' ? [`Contact: ${contact}`] : []),
      'Max-Forwards: 70',
      ...(p.extra ?? []),
      ...(p.content ? [`Content-Type: ${p.type ?? 'application/sdp'}`] : []),
      `Content-Length: ${Buffer.byteLength(p.content ?? '', 'latin1')}`,
      '',
      p.content ?? '',
    ].join('\r\n');
  /** Sends an in-dialog request; resolves with its final status (undefined without one in 5 s). */
  const transact = (method: string, p: Parts = {}) => {
    const c = ++cseq;
    const done = new Promise<number | undefined>((resolve) => {
      pending.set(`${c} ${method}`, resolve);
      setTimeout(() => resolve(undefined), 5000);
    });
    t.send(request(method, c, p));
    return done;
  };
  const sendInvite = (extra: readonly string[]) =>
    t.send(
      request('INVITE', inviteCseq, {
        uri: ruri,
        extra: [
          ...(invite.conversationId ? [`x-inin-cnv: ${invite.conversationId}`] : []),
          ...(invite.headers ?? []),
          ...extra,
        ],
        content: body,
      }),
    );
  /** The ACK of a final response: a refusal's belongs to its INVITE's transaction (RFC 3261 §17.1.1.3). */
  const ack = (c: number, code: number) =>
    t.send(request('ACK', c, code >= 300 ? { uri: ruri, branchOf: branch(c) } : {}));
  const dialog: ProbeDialog = {
    reinvite: async (headers = []) => {
      const status = await transact('INVITE', { extra: headers, content: body });
      reinvites.push(status);
      return status;
    },
    requestSeen: (method, timeoutMs) =>
      requests.some((l) => l.startsWith(`${method} `))
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            waiters.push({ method, resolve });
            setTimeout(() => resolve(false), timeoutMs);
          }),
  };
  const runCall = async () => {
    await (invite.midCall ? invite.midCall(dialog) : sleep(invite.holdMs ?? 2000));
    if (byeAtMs === undefined) await transact('BYE');
  };

  t.onMessage((text) => {
    const startLine = text.slice(0, text.indexOf('\r\n'));
    const status = /^SIP\/2\.0 (\d{3})/.exec(startLine)?.[1];
    if (status === undefined) return onRequest(text, startLine);
    const [, n = '0', method = ''] = /^(\d+)\s+(\S+)/.exec(headerOf(text, 'CSeq') ?? '') ?? [];
    const code = Number(status);
    if (Number(n) !== inviteCseq || method !== 'INVITE') {
      if (code >= 200) pending.get(`${n} ${method}`)?.(code);
      if (code >= 200 && method === 'INVITE') ack(Number(n), code); // a re-INVITE's
      return;
    }
    if (final !== undefined) {
      if (code >= 200) ack(inviteCseq, code); // a retransmitted final response: ACK again
      return;
    }
    responses.push({ status: code, atMs: since(), cseq: inviteCseq });
    if ((code === 180 || code === 183) && invite.cancelOnRinging && cancelAtMs === undefined) {
      cancelAtMs = since();
      t.send(request('CANCEL', inviteCseq, { uri: ruri, branchOf: branch(inviteCseq) }));
    }
    if (code < 200) return;
    toHeader = headerOf(text, 'To') ?? toHeader;
    ack(inviteCseq, code);
    if (code >= 300) {
      const challenge = headerOf(text, code === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate');
      if (invite.auth && challenge && !authAnswered) {
        authAnswered = true;
        toHeader = `<sip:${invite.dnis}@127.0.0.1>`; // a new INVITE, outside the refused dialog
        inviteCseq = ++cseq;
        const name = code === 407 ? 'Proxy-Authorization' : 'Authorization';
        sendInvite([`${name}: ${digestAuthorization(challenge, 'INVITE', ruri, invite.auth)}`]);
        return;
      }
    }
    final = code;
    finalAtMs = since();
    if (code !== 200) return;
    target = /<([^>]+)>/.exec(headerOf(text, 'Contact') ?? '')?.[1] ?? ruri;
    invite.media?.start(text.slice(text.indexOf('\r\n\r\n') + 4));
    answered = runCall();
  });

  /** A request the bridge sends in the dialog: 200 (202 to a REFER, then a NOTIFY of its success). */
  function onRequest(text: string, startLine: string) {
    const method = startLine.split(' ')[0] ?? '';
    requests.push(startLine);
    if (method === 'ACK') return;
    const copied = ['Via', 'From', 'To', 'Call-ID', 'CSeq']
      .map((name) => new RegExp(`^${name}:.*$`, 'im').exec(text)?.[0])
      .filter((line): line is string => line !== undefined);
    const reply = (status: string) =>
      t.send([status, ...copied, `Contact: ${contact}`, 'Content-Length: 0', '', ''].join('\r\n'));
    if (method === 'BYE') byeAtMs = since();
    if (method !== 'REFER') reply('SIP/2.0 200 OK');
    else {
      // As Genesys (and test/sipp/genesys-inbound-refer.xml): 202 after tens of milliseconds, then
      // a NOTIFY of the transfer's success. A 202 sent at once was once missed: livekit-sip v1.8.0
      // logged the REFER failed "with 0 intermediate responses" 3 ms after sending it.
      const referCseq = /^\d+/.exec(headerOf(text, 'CSeq') ?? '')?.[0] ?? '1';
      setTimeout(() => reply('SIP/2.0 202 Accepted'), 30);
      setTimeout(() => {
        void transact('NOTIFY', {
          extra: [
            `Event: refer;id=${referCseq}`,
            'Subscription-State: terminated;reason=noresource',
          ],
          content: 'SIP/2.0 200 OK\r\n',
          type: 'message/sipfrag;version=2.0',
        });
      }, 230);
    }
    for (const w of waiters.filter((x) => x.method === method)) w.resolve(true);
  }

  sendInvite([]);
  await sleep(waitMs);
  await answered;
  t.close();
  invite.media?.stop();
  return { callId, responses, final, finalAtMs, requests, reinvites, cancelAtMs, byeAtMs };
}
