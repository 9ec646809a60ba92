/**
 * What a persona's tools may do during a call. The call runner provides the
 * real implementation (REFER through livekit-sip, records through dispatch);
 * text-level persona tests provide one that records decisions instead.
 */
import type { CallContext } from '../../../contracts/call-context.ts';
import type { DigitResult, DigitSpec } from '../dtmf/collector.ts';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import type { DataActionClient } from './data-actions.ts';

export type TransferRequest = Readonly<{
  queue: string;
  reason: HandoffReason;
  /** One or two sentences for the human agent's screen pop. */
  summary?: string;
}>;

/** What the LLM is told about a transfer it asked for. */
export type TransferResult =
  | { readonly status: 'transferring'; readonly queue: string }
  | { readonly status: 'not_allowed'; readonly queue: string; readonly allowed: readonly string[] }
  | { readonly status: 'failed'; readonly queue: string; readonly message: string };

export type CallbackRequest = Readonly<{
  /** Number to call back, E.164 or national digits. */
  number: string;
  issueType: string;
  notes?: string;
}>;

/** A keypad entry the persona asks the caller for (account number, PIN, menu choice). */
export type KeypadRequest = Readonly<{
  /** What the digits are for, e.g. `account_number`; logged, the digits never are. */
  purpose: string;
  /** Said when collection starts; the caller may type while it plays. */
  prompt: string;
  /** Said before attempts 2..n instead of `prompt`. */
  retryPrompt?: string;
  spec: DigitSpec;
}>;

export type PersonaRuntime = Readonly<{
  call: CallContext;
  route: string;
  /** Hands the caller to a queue. Only queues the persona declares are allowed. */
  transfer: (req: TransferRequest) => Promise<TransferResult>;
  /**
   * Hands the caller to the route's human queue with reason `out_of_scope`:
   * the request is beyond what the persona may answer.
   */
  escalate: (summary: string) => Promise<TransferResult>;
  /** Stores a callback request for the contact center; returns its id. */
  requestCallback: (req: CallbackRequest) => Promise<{ id: string }>;
  /** The customer's data actions (account and order lookups). */
  data: DataActionClient;
  /**
   * Prompts for a keypad entry and collects it (RFC 2833 digits through
   * livekit-sip), re-prompting up to `spec.maxAttempts`. While it runs, keys
   * are digits, not DTMF 0's "a person please", and silence is expected.
   */
  keypad: (req: KeypadRequest) => Promise<DigitResult>;
}>;
