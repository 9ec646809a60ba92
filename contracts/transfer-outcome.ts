/**
 * What became of one transfer attempt, as the contact center needs to know
 * it, and how the errors livekit-server-sdk throws for a REFER map onto it.
 * The agent records every attempt; dispatch's recovery uses the same reading
 * to know when another target is safe to try.
 */

/** What became of one REFER, as the contact center needs to know it. */
export type TransferOutcome =
  /** Genesys accepted the REFER (202) and reported the new call up (NOTIFY 200), or hung up on us. */
  | { readonly status: 'completed' }
  /** Genesys answered the REFER itself with a final non-2xx status. */
  | { readonly status: 'refused'; readonly sipStatus: number; readonly message: string }
  /** The REFER was accepted but the NOTIFY reported failure (sipfrag >= 300). */
  | { readonly status: 'failed'; readonly sipStatus: number | undefined; readonly message: string }
  /** No final NOTIFY arrived in time. */
  | { readonly status: 'timed_out'; readonly message: string }
  /**
   * The REFER went out but its fate is unknown: livekit-sip lost the REFER
   * transaction before reading a final response ("transaction failed to
   * complete"). v1.8.0 can do so on a reliable transport (TCP, TLS), where the
   * transaction ends as soon as its final response is passed up; over UDP it
   * lives on for Timer D (32 s), and a 202 with no NOTIFY is `timed_out`.
   * Genesys may be moving the call, so no other target may be tried.
   */
  | { readonly status: 'unconfirmed'; readonly message: string }
  /** The REFER could not be sent (bad target, bridge unreachable, call already gone). */
  | { readonly status: 'error'; readonly message: string };

export type TransferAttempt = Readonly<{
  queue: string;
  /** Target URI without the embedded UUI. */
  target: string;
  startedAt: Date;
  durationMs: number;
  outcome: TransferOutcome;
}>;

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

/**
 * Whether another target may be tried after this outcome: only when the
 * REFER was refused, reported failed, or never left. After a REFER Genesys
 * may have accepted (timed out, unconfirmed) the call may be moving.
 *
 * @example
 * nextTargetIsSafe({ status: 'refused', sipStatus: 486, message: 'Busy Here' }); // true
 */
export function nextTargetIsSafe(outcome: TransferOutcome): boolean {
  return outcome.status !== 'timed_out' && outcome.status !== 'unconfirmed';
}
