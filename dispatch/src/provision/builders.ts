/**
 * LiveKit's SIP objects built from the desired state (desired.ts): inbound
 * and outbound trunks and dispatch rules, each stamped with dispatch's
 * ownership metadata, with SRTP and transport in LiveKit's enums.
 */
import {
  RoomAgentDispatch,
  RoomConfiguration,
  SIPDispatchRule,
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
  SIPHeaderOptions,
  SIPInboundTrunkInfo,
  SIPMediaConfig,
  SIPMediaEncryption,
  SIPOutboundTrunkInfo,
  SIPTransport,
} from '@livekit/protocol';
import { ownershipMetadata } from '../../../contracts/ownership.ts';
import type { MediaEncryption } from '../../../contracts/routing.ts';
import type { DesiredOutboundTrunk, DesiredRule, DesiredTrunk } from './desired.ts';

export const SIP_TRANSPORTS: Readonly<Record<DesiredOutboundTrunk['transport'], SIPTransport>> = {
  udp: SIPTransport.SIP_TRANSPORT_UDP,
  tcp: SIPTransport.SIP_TRANSPORT_TCP,
  tls: SIPTransport.SIP_TRANSPORT_TLS,
};

const MEDIA_ENCRYPTIONS: Readonly<Record<MediaEncryption, SIPMediaEncryption>> = {
  disable: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE,
  allow: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW,
  require: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE,
};

/**
 * A trunk's SRTP setting in both of LiveKit's fields: `media.encryption`,
 * which wins when set (even to disable), and the deprecated
 * `mediaEncryption` older readers show, kept equal to it.
 */
export function mediaFields(e: MediaEncryption): {
  mediaEncryption: SIPMediaEncryption;
  media: SIPMediaConfig;
} {
  const encryption = MEDIA_ENCRYPTIONS[e];
  return { mediaEncryption: encryption, media: new SIPMediaConfig({ encryption }) };
}

export function trunkInfo(t: DesiredTrunk, id: string): SIPInboundTrunkInfo {
  return new SIPInboundTrunkInfo({
    sipTrunkId: id,
    name: t.name,
    numbers: [...t.numbers],
    allowedAddresses: [...t.allowedAddresses],
    headersToAttributes: { ...t.headersToAttributes },
    includeHeaders: SIPHeaderOptions.SIP_X_HEADERS,
    ...mediaFields(t.mediaEncryption),
    ringingTimeout: { seconds: BigInt(t.ringTimeoutSeconds) },
    // A replace, not a patch: credentials removed from the environment are removed here too.
    authUsername: t.auth?.username ?? '',
    authPassword: t.auth?.password ?? '',
    metadata: ownershipMetadata(t.key, t.hash),
  });
}

export function outboundTrunkInfo(t: DesiredOutboundTrunk, id: string): SIPOutboundTrunkInfo {
  return new SIPOutboundTrunkInfo({
    sipTrunkId: id,
    name: t.name,
    address: t.address,
    transport: SIP_TRANSPORTS[t.transport],
    numbers: [...t.numbers],
    ...mediaFields(t.mediaEncryption),
    authUsername: t.auth?.username ?? '',
    authPassword: t.auth?.password ?? '',
    metadata: ownershipMetadata(t.key, t.hash),
  });
}

export function ruleInfo(r: DesiredRule, trunkId: string, id = ''): SIPDispatchRuleInfo {
  return new SIPDispatchRuleInfo({
    sipDispatchRuleId: id,
    name: r.name,
    trunkIds: [trunkId],
    numbers: [...r.numbers],
    metadata: ownershipMetadata(r.key, r.hash),
    hidePhoneNumber: r.hidePhoneNumber,
    rule: new SIPDispatchRule({
      rule: {
        case: 'dispatchRuleIndividual',
        value: new SIPDispatchRuleIndividual({ roomPrefix: r.roomPrefix }),
      },
    }),
    roomConfig: new RoomConfiguration({
      agents: [new RoomAgentDispatch({ agentName: r.agentName, metadata: r.agentMetadata })],
    }),
  });
}
