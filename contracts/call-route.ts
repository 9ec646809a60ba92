/**
 * Which route a call is on when nothing but the room and the caller's SIP
 * attributes are left to tell (the agent's job metadata was unreadable, or
 * the agent died before naming its route): the dispatch rule's room prefix
 * (`call-<route>-`), else the route of the dialled number. Both services use
 * it to hand such a caller to the route's human queue.
 */
import { numberFromIdentity } from './call-context.ts';
import { routeForNumber, type Route, type RoutingConfig } from './routing.ts';
import { headerAttributes, sipAttributes } from './sip-attributes.ts';

/** The room name prefix of a route's dispatch rule (dispatch provisions it). */
export function routeRoomPrefix(route: Pick<Route, 'name'>): string {
  return `call-${route.name}-`;
}

/**
 * @example
 * routeOfCall(routing, 'call-main-_4321_x', caller.attributes)?.name; // 'main'
 */
export function routeOfCall(
  routing: RoutingConfig,
  roomName: string | undefined,
  attributes: Readonly<Record<string, string>> | undefined,
): Route | undefined {
  // The longest prefix wins: route `main-east` owns `call-main-east-…`, not `main`.
  const byRoom = routing.routes
    .filter((r) => roomName?.startsWith(routeRoomPrefix(r)))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (byRoom) return byRoom;
  const dnis = attributes ? dialledNumber(attributes) : undefined;
  return dnis === undefined ? undefined : routeForNumber(routing, dnis);
}

/** The called number, read as contracts/call-context.ts reads it. */
function dialledNumber(attributes: Readonly<Record<string, string>>): string | undefined {
  const to = attributes[headerAttributes.To];
  return attributes[sipAttributes.to] ?? (to === undefined ? undefined : numberFromIdentity(to));
}
