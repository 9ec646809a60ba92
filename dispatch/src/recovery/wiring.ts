/**
 * Call recovery bound to LiveKit's server APIs (RoomService, AgentDispatch, SIP).
 */
import type { WebhookEvent } from '@livekit/protocol';
import { AgentDispatchClient, SipClient, type RoomServiceClient } from 'livekit-server-sdk';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { createCallRecovery, type RecoveryDecision } from './call-recovery.ts';

/**
 * @example
 * const recover = callRecovery(config.routing, new RoomServiceClient(url, key, secret), config.livekit);
 */
export function callRecovery(
  routing: RoutingConfig,
  rooms: RoomServiceClient,
  livekit: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>,
): (event: WebhookEvent) => Promise<RecoveryDecision> {
  const agents = new AgentDispatchClient(livekit.apiUrl, livekit.apiKey, livekit.apiSecret);
  const sip = new SipClient(livekit.apiUrl, livekit.apiKey, livekit.apiSecret);
  return createCallRecovery({
    routing,
    listParticipants: (room) => rooms.listParticipants(room),
    updateRoomMetadata: (room, metadata) => rooms.updateRoomMetadata(room, metadata),
    dispatchAgent: (room, agentName, metadata) =>
      agents.createDispatch(room, agentName, { metadata }),
    transferCaller: (room, identity, referTo, headers) =>
      sip.transferSipParticipant(room, identity, referTo, {
        playDialtone: false,
        headers: { ...headers },
      }),
  });
}
