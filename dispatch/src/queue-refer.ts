/**
 * The Refer-To dispatch sends when it hands a caller to a route's human queue
 * itself (recovery after repeated agent failures, a call no agent took): the
 * reason, the route, and the caller's Genesys context read by the parser the
 * agent uses, embedded as UUI, for each of the queue's targets.
 */
import { callContextFromAttributes, CallContextError } from '../../contracts/call-context.ts';
import type { HandoffReason } from '../../contracts/call-outcome.ts';
import { buildReferTo, transferFields, type UuiOptions } from '../../contracts/genesys-uui.ts';
import type { RoutingConfig } from '../../contracts/routing.ts';

/** REFER through livekit-sip (SipClient.transferSipParticipant); rejects when it did not complete. */
export type TransferCaller = (
  room: string,
  identity: string,
  referTo: string,
  headers: Readonly<Record<string, string>>,
) => Promise<unknown>;

/**
 * @example
 * const referTo = queueReferTo(routing, 'main', caller.attributes, 'no_agent');
 * referTo('sip:+18005550150@genesys.example'); // 'sip:+1800…?User-to-User=04…'
 */
export function queueReferTo(
  routing: RoutingConfig,
  route: string,
  attributes: Readonly<Record<string, string>>,
  reason: HandoffReason,
): (target: string) => string {
  const uuiOptions = routing.transfer.uuiOptions;
  const call = callerContext(attributes, uuiOptions);
  const fields = transferFields(
    {
      ai_reason: reason,
      ai_route: route,
      ...(call?.conversationId ? { ai_cnv: call.conversationId } : {}),
    },
    call?.uui?.fields,
  );
  return (target) =>
    buildReferTo(
      target,
      fields,
      routing.transfer.uuiEncoding,
      routing.transfer.uuiMaxBytes,
      uuiOptions,
    ).uri;
}

/**
 * The caller's Genesys context, read by the parser the agent uses; undefined
 * when the participant lacks what every SIP call has (the caller is handed
 * over anyway, without context).
 *
 * @example
 * callerContext(participant.attributes)?.conversationId; // '6f1c0f3a-…'
 */
export function callerContext(
  attributes: Readonly<Record<string, string>>,
  uuiOptions: UuiOptions = {},
) {
  try {
    return callContextFromAttributes(attributes, uuiOptions);
  } catch (err) {
    if (err instanceof CallContextError) return undefined;
    throw err;
  }
}
