/**
 * POST /v1/calls wired to a real LiveKit: what dispatch's main passes to createApp.
 */
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { OutboundCallsDeps } from '../http/outbound-calls.ts';
import { findOwnedOutboundTrunk, liveKitCalls, placeCallWith } from './place-call.ts';

/**
 * @example
 * createApp({ ...deps, outboundCalls: outboundCallsVia(config.routing, config.livekit) });
 */
export function outboundCallsVia(
  routing: RoutingConfig,
  creds: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>,
): OutboundCallsDeps {
  const lk = liveKitCalls(creds);
  return { routing, findTrunk: () => findOwnedOutboundTrunk(lk), placeCall: placeCallWith(lk) };
}
