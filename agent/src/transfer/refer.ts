/**
 * Blind transfer back to Genesys: one SIP REFER from livekit-sip, with the
 * context as UUI embedded in the Refer-To URI (where Genesys fills
 * `Call.UUIData` from) and validated X- headers on the REFER itself.
 */
import type { SipClient } from 'livekit-server-sdk';
import { buildReferTo, type UuiEncoding, type UuiOptions } from '../../../contracts/genesys-uui.ts';
import { validateSipHeaders } from './headers.ts';
import {
  classifyTransferError,
  type TransferAttempt,
  type TransferOutcome,
} from '../../../contracts/transfer-outcome.ts';

export { classifyTransferError } from '../../../contracts/transfer-outcome.ts';

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
  /** The protocol discriminator octet Genesys drops from the front of hex UUI (contracts/genesys-uui.ts). */
  uuiOptions: UuiOptions;
  timeoutSeconds: number;
}>;

/**
 * Sends the REFER and waits for Genesys' verdict. Never throws: every way a
 * transfer can end is a {@link TransferOutcome} in the returned attempt.
 */
/** The part of livekit-server-sdk's SipClient a REFER needs. */
export type ReferClient = Pick<SipClient, 'transferSipParticipant'>;

export async function sendRefer(sip: ReferClient, req: ReferRequest): Promise<TransferAttempt> {
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
    referTo = buildReferTo(
      req.target,
      req.uuiFields,
      req.uuiEncoding,
      req.uuiMaxBytes,
      req.uuiOptions,
    ).uri;
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
