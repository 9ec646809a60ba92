/**
 * Which route a call is on. The dispatch rule that matched the dialled
 * number names one; a route with a `match` (an X- header or UUI field the
 * Genesys flow set) takes the call over, so one number can serve several
 * routes. Outbound calls and replacement agents keep the route they were given.
 */
import type { DispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { matchedRoute, type RoutingConfig } from '../../../contracts/routing.ts';
import type { CallContext } from '../../../contracts/call-context.ts';

/**
 * @example
 * // routing has { name: 'billing', match: { header: 'X-AI-Route', equals: 'billing' }, persona: 'self-service', ... }
 * routeCall(routing, { v: 1, route: 'main', persona: 'triage', humanQueue: 'general', values: {} }, call).route; // 'billing'
 */
export function routeCall(
  routing: RoutingConfig,
  meta: DispatchMetadata,
  call: Pick<CallContext, 'xHeaders' | 'uui'>,
): DispatchMetadata {
  if (meta.direction === 'outbound' || meta.recovery) return meta;
  const matched = matchedRoute(routing, call.xHeaders, call.uui?.fields);
  if (!matched || matched.name === meta.route) return meta;
  return Object.freeze({
    ...meta,
    route: matched.name,
    persona: matched.persona,
    humanQueue: matched.humanQueue,
    values: Object.freeze({ ...matched.metadata }),
  });
}
