/**
 * One caller's SIP dialog as the capture shows it, found by the caller's SIP
 * port (one sipp per caller, each on its own port) and the Call-ID of the
 * first INVITE sent from that port.
 */
import { decodeUui, parseFields, UuiError } from '../../contracts/genesys-uui.ts';
import type { SipMessage } from './capture.ts';

export type CallSignalling = Readonly<{
  callId: string;
  /** Wire time of the first INVITE sent. */
  invitedAtMs: number;
  /** Wire time of the first 200 OK to an INVITE received; undefined when never answered. */
  answeredAtMs: number | undefined;
  /** 200 when answered, else the last final status to the INVITE (407 challenge, 486, 487…). */
  finalStatus: number | undefined;
  /** First CANCEL the caller sent. */
  cancelledAtMs: number | undefined;
  /**
   * When the caller stopped hearing ringback: the answer, the refusal (a final
   * status other than an authentication challenge) or the caller's CANCEL.
   */
  ringEndedAtMs: number | undefined;
  referAtMs: number | undefined;
  referTarget: string | undefined;
  /** The transfer reason the REFER carried (`ai_reason` in its UUI), if it could be read. */
  referReason: string | undefined;
  /** First BYE from the bridge, and from the caller. */
  bridgeByeAtMs: number | undefined;
  callerByeAtMs: number | undefined;
  /** Last SIP message of the dialog. */
  lastMessageAtMs: number;
}>;

/**
 * The dialog of the caller on `sipPort`; undefined when the capture holds no INVITE from it.
 *
 * @example
 * const dialog = callSignalling(capture.sip, caller.sipPort);
 */
export function callSignalling(
  messages: readonly SipMessage[],
  sipPort: number,
): CallSignalling | undefined {
  const invite = messages.find((m) => m.srcPort === sipPort && m.method === 'INVITE');
  if (!invite) return undefined;
  const dialog = messages.filter(
    (m) => m.callId === invite.callId && (m.srcPort === sipPort || m.dstPort === sipPort),
  );
  const fromCaller = (m: SipMessage): boolean => m.srcPort === sipPort;
  const inviteResponses = dialog.filter(
    (m) => !fromCaller(m) && m.status !== undefined && m.cseqMethod === 'INVITE',
  );
  const answer = inviteResponses.find(
    (m) => m.status !== undefined && m.status >= 200 && m.status < 300,
  );
  const finals = inviteResponses.filter((m) => (m.status ?? 0) >= 300);
  const refer = dialog.find((m) => !fromCaller(m) && m.method === 'REFER');
  const cancelledAtMs = dialog.find((m) => fromCaller(m) && m.method === 'CANCEL')?.timeMs;
  const refusal = finals.find((m) => m.status !== 401 && m.status !== 407);
  return {
    callId: invite.callId,
    invitedAtMs: invite.timeMs,
    answeredAtMs: answer?.timeMs,
    finalStatus: answer?.status ?? finals.at(-1)?.status,
    cancelledAtMs,
    ringEndedAtMs: answer?.timeMs ?? minimum(refusal?.timeMs, cancelledAtMs),
    referAtMs: refer?.timeMs,
    referTarget: refer?.referTo === undefined ? undefined : referUri(refer.referTo),
    referReason: refer?.referTo === undefined ? undefined : referReason(referUri(refer.referTo)),
    bridgeByeAtMs: dialog.find((m) => !fromCaller(m) && m.method === 'BYE')?.timeMs,
    callerByeAtMs: dialog.find((m) => fromCaller(m) && m.method === 'BYE')?.timeMs,
    lastMessageAtMs: dialog.at(-1)?.timeMs ?? invite.timeMs,
  };
}

/**
 * The URI of a Refer-To header value, without its angle brackets and header parameters.
 *
 * @example
 * referUri('<sip:+18005550150@genesys.example?User-to-User=04ab%3Bencoding%3Dhex>;x=1');
 * // 'sip:+18005550150@genesys.example?User-to-User=04ab%3Bencoding%3Dhex'
 */
export function referUri(value: string): string {
  const v = value.trim();
  const bracketed = /^[^<]*<([^>]*)>/.exec(v);
  return bracketed?.[1] ?? v;
}

/**
 * The `ai_reason` field of the UUI embedded in a Refer-To URI; undefined
 * without one or when it cannot be decoded. A leading control octet is the
 * UUI's protocol discriminator, not part of the first field.
 *
 * @example
 * referReason('sip:+18005550150@genesys?User-to-User=04…%3Bencoding%3Dhex'); // 'no_agent'
 */
export function referReason(uri: string): string | undefined {
  const query = uri.indexOf('?');
  if (query < 0) return undefined;
  for (const header of uri.slice(query + 1).split('&')) {
    const eq = header.indexOf('=');
    if (header.slice(0, eq).toLowerCase() !== 'user-to-user') continue;
    try {
      const { text } = decodeUui(decodeURIComponent(header.slice(eq + 1)));
      const fields = parseFields(text.charCodeAt(0) < 0x20 ? text.slice(1) : text);
      return fields['ai_reason'];
    } catch (err) {
      if (err instanceof UuiError || err instanceof URIError) return undefined;
      throw err;
    }
  }
  return undefined;
}

function minimum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
