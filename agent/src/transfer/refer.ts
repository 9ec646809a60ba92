/**
 * Blind transfer back to Genesys: one SIP REFER from livekit-sip, with the
 * context as UUI embedded in the Refer-To URI (where Genesys fills
 * `Call.UUIData` from) and validated X- headers on the REFER itself.
 */
import type { SipClient } from 'livekit-server-sdk';
import {
  encodeUui,
  formatFields,
  UuiError,
  uuiInReferTo,
  type UuiEncoding,
  type UuiOptions,
} from '../genesys/uui.ts';
import { validateSipHeaders } from './headers.ts';
import type { TransferAttempt, TransferOutcome } from './outcome.ts';

export type ReferRequest = Readonly<{
  room: string;
  participantIdentity: string;
  queue: string;
  /** Target URI from the routing file (never from caller input). */
  target: string;
  /** Context for the human agent, as UUI key/value fields. */
  uuiFields: Readonly<Record<string, string>>;
  /** Extra X- headers on the REFER. */
  headers?: Readonly<Record<string, string>>;
  uuiEncoding: UuiEncoding;
  uuiMaxBytes: number;
  /** Octet Genesys drops from the front of hex UUI; see genesys/uui.ts. */
  uuiProtocolDiscriminator: number | undefined;
  timeoutSeconds: number;
}>;

/**
 * Builds the Refer-To URI. When the UUI is too long, fields are dropped from
 * the end until it fits: the caller is transferred with less context rather
 * than not at all. `tel:` targets carry no UUI.
 *
 * @example
 * buildReferTo('sip:+18005550199@gen.example', { reason: 'dtmf_zero' }, 'hex', 128);
 * // { uri: 'sip:+18005550199@gen.example?User-to-User=726561736f6e3d64746d665f7a65726f%3Bencoding%3Dhex', droppedFields: [] }
 */
export function buildReferTo(
  target: string,
  fields: Readonly<Record<string, string>>,
  encoding: UuiEncoding,
  maxBytes: number,
  uuiOptions: UuiOptions = {},
): { uri: string; droppedFields: string[] } {
  if (!/^sips?:/.test(target)) return { uri: target, droppedFields: Object.keys(fields) };
  const { header, droppedFields } = fitUui(fields, encoding, maxBytes, uuiOptions);
  return { uri: header ? uuiInReferTo(target, header) : target, droppedFields };
}

/**
 * The UUI header value carrying as many of `fields` as fit in `maxBytes`,
 * dropping fields from the end; `header` is undefined when none fits.
 *
 * @example
 * fitUui({ ai_reason: 'dtmf_zero' }, 'hex', 128).header; // '61695f726561736f6e3d64746d665f7a65726f;encoding=hex'
 */
export function fitUui(
  fields: Readonly<Record<string, string>>,
  encoding: UuiEncoding,
  maxBytes: number,
  uuiOptions: UuiOptions = {},
): { header: string | undefined; droppedFields: string[] } {
  const entries = Object.entries(fields);
  const dropped: string[] = [];
  while (entries.length > 0) {
    try {
      const header = encodeUui(
        formatFields(Object.fromEntries(entries)),
        encoding,
        maxBytes,
        uuiOptions,
      );
      return { header, droppedFields: dropped };
    } catch (err) {
      if (!(err instanceof UuiError) || err.code !== 'too_long') throw err;
      const last = entries.pop();
      if (last) dropped.unshift(last[0]);
    }
  }
  return { header: undefined, droppedFields: dropped };
}

/**
 * Sends the REFER and waits for Genesys' verdict. Never throws: every way a
 * transfer can end is a {@link TransferOutcome} in the returned attempt.
 */
export async function sendRefer(sip: SipClient, req: ReferRequest): Promise<TransferAttempt> {
  const startedAt = new Date();
  const started = performance.now();
  const finish = (outcome: TransferOutcome): TransferAttempt =>
    Object.freeze({
      queue: req.queue,
      target: req.target,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      outcome,
    });

  let referTo: string;
  let headers: Record<string, string>;
  try {
    referTo = buildReferTo(req.target, req.uuiFields, req.uuiEncoding, req.uuiMaxBytes, {
      ...(req.uuiProtocolDiscriminator === undefined
        ? {}
        : { protocolDiscriminator: req.uuiProtocolDiscriminator }),
    }).uri;
    headers = validateSipHeaders(req.headers ?? {});
  } catch (err) {
    return finish({ status: 'error', message: (err as Error).message });
  }

  // The SDK's own request timeout covers ringing too and is far longer than a
  // caller should wait, so the transfer timeout is enforced here. The request
  // itself cannot be cancelled: if Genesys completes later the call just ends.
  const transfer = sip.transferSipParticipant(req.room, req.participantIdentity, referTo, {
    headers,
    playDialtone: false,
    timeout: req.timeoutSeconds + 5,
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), req.timeoutSeconds * 1000);
  });
  try {
    const first = await Promise.race([transfer.then(() => 'done' as const), timedOut]);
    if (first === 'timeout') {
      transfer.catch(() => {});
      return finish({ status: 'timed_out', message: `no outcome within ${req.timeoutSeconds} s` });
    }
    return finish({ status: 'completed' });
  } catch (err) {
    return finish(classifyTransferError(err));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Maps what livekit-server-sdk throws for TransferSIPParticipant to an outcome.
 * livekit-sip reports a failed NOTIFY as "call transfer failed: <status>" and a
 * refused REFER as the bare SIP status. The SDK's SipCallError rewrites either
 * message to "SIP call failed: <code> <reason>" when it carries the status, so
 * the original text is read back from the error's `error_details` metadata
 * (a base64 google.rpc.Status whose message field is plain text).
 */
export function classifyTransferError(err: unknown): TransferOutcome {
  const e = err as {
    message?: string;
    sipStatusCode?: number;
    code?: string;
    metadata?: Record<string, string>;
  };
  const message = e.message ?? String(err);
  const original = `${message} ${statusText(e.metadata?.['error_details'])}`;
  const sipStatus =
    typeof e.sipStatusCode === 'number' && e.sipStatusCode > 0 ? e.sipStatusCode : undefined;
  if (/call transfer failed/i.test(original)) return { status: 'failed', sipStatus, message };
  if (/transaction failed to complete/i.test(original)) return { status: 'unconfirmed', message };
  const gaveUp = (err as Error | undefined)?.name === 'TimeoutError';
  if (
    gaveUp ||
    /refer canceled|deadline exceeded/i.test(original) ||
    e.code === 'deadline_exceeded'
  ) {
    return { status: 'timed_out', message };
  }
  if (sipStatus !== undefined && sipStatus >= 300) return { status: 'refused', sipStatus, message };
  return { status: 'error', message };
}

/** The readable text inside a base64 google.rpc.Status (its message is a UTF-8 field). */
function statusText(errorDetails: string | undefined): string {
  if (!errorDetails) return '';
  return Buffer.from(errorDetails, 'base64')
    .toString('latin1')
    .replace(/[^\x20-\x7e]+/g, ' ');
}
