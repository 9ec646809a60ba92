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
   * transaction (v1.8.0 can end it before reading a fast 202). Genesys may be
   * moving the call, so no other target may be tried.
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
