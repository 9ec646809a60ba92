import type { HandoffReason } from '../../../contracts/call-outcome.ts';

/** Where a call is in its life; transitions happen only in call/answer.ts. */
export type CallState =
  | { readonly phase: 'conversing' }
  | { readonly phase: 'transferring'; readonly queue: string; readonly reason: HandoffReason }
  | { readonly phase: 'transferred'; readonly queue: string; readonly reason: HandoffReason };
