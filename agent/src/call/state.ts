import type { TransferReason } from '../transfer/outcome.ts';

/** Where a call is in its life; transitions happen only in call/answer.ts. */
export type CallState =
  | { readonly phase: 'conversing' }
  | { readonly phase: 'transferring'; readonly queue: string; readonly reason: TransferReason }
  | { readonly phase: 'transferred'; readonly queue: string; readonly reason: TransferReason };
