/**
 * Hands a caller to a Genesys queue: the queue's target first, then each
 * alternate, until one REFER completes. Targets come only from the routing
 * file, so nothing a caller says can redirect the call.
 */
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { CallContext } from '../../../contracts/call-context.ts';
import { transferFields } from '../../../contracts/genesys-uui.ts';
import { nextTargetIsSafe, type TransferAttempt } from '../../../contracts/transfer-outcome.ts';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import { sendRefer, type ReferClient } from './refer.ts';

export type { ReferClient } from './refer.ts';

export type HandoffResult =
  | { readonly status: 'transferred'; readonly attempts: readonly TransferAttempt[] }
  | { readonly status: 'not_transferred'; readonly attempts: readonly TransferAttempt[] }
  | { readonly status: 'unknown_queue'; readonly attempts: readonly [] };

export type HandoffRequest = Readonly<{
  room: string;
  participantIdentity: string;
  queue: string;
  reason: HandoffReason;
  call: CallContext;
  route: string;
  /** Id of the context record dispatch stored for the screen pop, if it could. */
  contextId?: string;
}>;

/**
 * UUI fields Genesys receives: the context record id, our reason and route
 * first (they must survive truncation), then the caller's original UUI
 * fields, escaped and never overriding ours (transferFields).
 */
export function handoffUuiFields(req: HandoffRequest): Record<string, string> {
  return transferFields(
    {
      ...(req.contextId ? { ai_ctx: req.contextId } : {}),
      ai_reason: req.reason,
      ai_route: req.route,
      ...(req.call.conversationId ? { ai_cnv: req.call.conversationId } : {}),
    },
    req.call.uui?.fields,
  );
}

/**
 * Sends the REFERs; never throws (every ending is an attempt's outcome).
 *
 * @example
 * const result = await handoff(sip, routing, { room, participantIdentity, queue: 'general', reason: 'dtmf_zero', call, route: 'main' });
 * result.status; // 'transferred'
 */
export async function handoff(
  sip: ReferClient,
  routing: RoutingConfig,
  req: HandoffRequest,
  onAttempt: (attempt: TransferAttempt) => void = () => {},
): Promise<HandoffResult> {
  const queue = routing.queues[req.queue];
  if (!queue) return { status: 'unknown_queue', attempts: [] };
  const attempts: TransferAttempt[] = [];
  for (const target of [queue.target, ...queue.alternates]) {
    const attempt = await sendRefer(sip, {
      room: req.room,
      participantIdentity: req.participantIdentity,
      queue: req.queue,
      target,
      uuiFields: handoffUuiFields(req),
      headers: { 'X-AI-Transfer-Reason': req.reason },
      uuiEncoding: routing.transfer.uuiEncoding,
      uuiMaxBytes: routing.transfer.uuiMaxBytes,
      uuiOptions: routing.transfer.uuiOptions,
      timeoutSeconds: routing.transfer.timeoutSeconds,
    });
    attempts.push(attempt);
    onAttempt(attempt);
    if (attempt.outcome.status === 'completed') return { status: 'transferred', attempts };
    // After a REFER Genesys may have accepted, the call may be moving: only a
    // refusal, a reported failure or a REFER that never left make the next target safe.
    if (!nextTargetIsSafe(attempt.outcome)) break;
  }
  return { status: 'not_transferred', attempts };
}
