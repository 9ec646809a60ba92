/**
 * What LiveKit should hold for a routing file: one inbound trunk for the
 * Genesys BYOC trunk, one dispatch rule per route and, when the file has one,
 * the outbound trunk the agent dials out through. Pure, so plans can be
 * computed and tested without a server.
 */
import { routeRoomPrefix } from '../../../contracts/call-route.ts';
import { createHash, createHmac } from 'node:crypto';
import { encodeDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { HAND_ON_GRACE_SECONDS } from '../../../contracts/hand-on.ts';
import type {
  InboundTrunk,
  MediaEncryption,
  OutboundTrunk,
  Route,
  RoutingConfig,
} from '../../../contracts/routing.ts';
import { headerAttributes } from '../../../contracts/sip-attributes.ts';

export { ownershipMetadata, readOwnership, type Ownership } from '../../../contracts/ownership.ts';

/** Stored in each object's metadata: who owns it, which part of the file it is, and its content hash. */

/** Digest credentials of a trunk, from the environment; never logged. */
export type TrunkAuth = Readonly<{ username: string; password: string }>;

/** Digest credentials Genesys must answer LiveKit's challenge with (INBOUND_TRUNK_*). */
export type InboundAuth = TrunkAuth;

export type DesiredTrunk = Readonly<{
  key: 'inbound-trunk';
  name: string;
  /** Sorted: `inboundTrunk.numbers`, or every route's numbers. */
  numbers: readonly string[];
  allowedAddresses: readonly string[];
  headersToAttributes: Readonly<Record<string, string>>;
  mediaEncryption: MediaEncryption;
  /**
   * How long livekit-sip rings before it refuses a call no agent took (486):
   * the ring timeout, plus {@link HAND_ON_GRACE_SECONDS} on a trunk that
   * hands such callers to the queue.
   */
  ringTimeoutSeconds: number;
  /** From the environment; never log it. Only a keyed fingerprint of it enters `hash`. */
  auth: InboundAuth | undefined;
  hash: string;
}>;

export type DesiredRule = Readonly<{
  key: `route:${string}`;
  name: string;
  route: string;
  numbers: readonly string[];
  roomPrefix: string;
  /** Keep caller numbers out of room names, identities and attributes. */
  hidePhoneNumber: boolean;
  agentName: string;
  agentMetadata: string;
  hash: string;
}>;

/** Digest credentials the outbound trunk answers Genesys' challenges with (OUTBOUND_TRUNK_*). */
export type OutboundAuth = TrunkAuth;

export type DesiredOutboundTrunk = Readonly<{
  key: 'outbound-trunk';
  name: string;
  /** host[:port] INVITEs go to. */
  address: string;
  transport: 'udp' | 'tcp' | 'tls';
  /** Caller ids in file order: the first is the default. */
  numbers: readonly string[];
  mediaEncryption: MediaEncryption;
  /** From the environment; never log it. Only a keyed fingerprint of it enters `hash`. */
  auth: OutboundAuth | undefined;
  hash: string;
}>;

export type DesiredState = Readonly<{
  trunk: DesiredTrunk;
  /** Absent when the routing file has no `outboundTrunk`: an owned one is then deleted. */
  outboundTrunk: DesiredOutboundTrunk | undefined;
  rules: readonly DesiredRule[];
}>;

export type DesiredOptions = Readonly<{
  /** Digest credentials of the inbound trunk (INBOUND_TRUNK_USERNAME / _PASSWORD); absent: none. */
  inboundAuth?: InboundAuth | undefined;
  /** Digest credentials of the outbound trunk (OUTBOUND_TRUNK_USERNAME / _PASSWORD). */
  outboundAuth: OutboundAuth | undefined;
  /**
   * Keys the credentials' fingerprint in each trunk's hash. Dispatch passes
   * its LiveKit API secret: a new user name or password changes the hash (so
   * the trunk is updated), while the hash stored in LiveKit's metadata cannot
   * be used to guess them without that secret.
   */
  hashKey: string;
}>;

const NO_OPTIONS: DesiredOptions = { outboundAuth: undefined, hashKey: '' };

/**
 * The LiveKit objects a routing file asks for.
 *
 * @example
 * const desired = desiredState(config.routing, {
 *   inboundAuth: config.inboundTrunkAuth,
 *   outboundAuth: config.outboundTrunkAuth,
 *   hashKey: config.livekit.apiSecret,
 * });
 * desired.trunk.mediaEncryption; // 'allow' unless the file says otherwise
 * desired.outboundTrunk?.key; // 'outbound-trunk' when the file has an outboundTrunk
 */
export function desiredState(
  routing: RoutingConfig,
  options: DesiredOptions = NO_OPTIONS,
): DesiredState {
  return {
    trunk: desiredInboundTrunk(routing.inboundTrunk, routing.routes, options),
    outboundTrunk: routing.outboundTrunk && desiredOutboundTrunk(routing.outboundTrunk, options),
    // Match-only routes have no number to dispatch on: the agent applies them.
    rules: routing.routes
      .filter((route) => route.numbers.length > 0)
      .map((route) => desiredRule(routing, route)),
  };
}

function desiredInboundTrunk(
  trunk: InboundTrunk,
  routes: readonly Route[],
  { inboundAuth, hashKey }: DesiredOptions,
): DesiredTrunk {
  const numbers = trunk.numbers ?? routes.flatMap((r) => r.numbers);
  const body = {
    name: trunk.name,
    numbers: [...new Set(numbers)].sort(),
    allowedAddresses: [...trunk.allowedAddresses].sort(),
    headersToAttributes: { ...headerAttributes },
    mediaEncryption: trunk.mediaEncryption,
    ringTimeoutSeconds:
      trunk.ringTimeoutSeconds + (trunk.whenNoAgent === 'queue' ? HAND_ON_GRACE_SECONDS : 0),
  };
  const auth = copyAuth(inboundAuth);
  const credentials = fingerprint(auth, hashKey);
  return { key: 'inbound-trunk', ...body, auth, hash: hashOf({ ...body, credentials }) };
}

function desiredOutboundTrunk(
  trunk: OutboundTrunk,
  { outboundAuth, hashKey }: DesiredOptions,
): DesiredOutboundTrunk {
  const body = {
    name: trunk.name,
    address: trunk.address,
    transport: trunk.transport,
    // Order matters: the first number is the default caller id.
    numbers: [...trunk.numbers],
    mediaEncryption: trunk.mediaEncryption,
  };
  const auth = copyAuth(outboundAuth);
  const credentials = fingerprint(auth, hashKey);
  return { key: 'outbound-trunk', ...body, auth, hash: hashOf({ ...body, credentials }) };
}

function copyAuth(auth: TrunkAuth | undefined): TrunkAuth | undefined {
  return auth && { username: auth.username, password: auth.password };
}

/** What stands for the credentials in a hash: keyed, so it cannot be used to guess them. */
function fingerprint(auth: TrunkAuth | undefined, hashKey: string): string {
  return auth
    ? createHmac('sha256', hashKey)
        .update(JSON.stringify([auth.username, auth.password]))
        .digest('hex')
    : 'none';
}

function desiredRule(routing: RoutingConfig, route: Route): DesiredRule {
  const body = {
    name: `route:${route.name}`,
    route: route.name,
    numbers: [...route.numbers].sort(),
    roomPrefix: routeRoomPrefix(route),
    // Caller numbers stay out of room names, participant identities and
    // LiveKit's own logs; the agent reads them from the mapped From/To headers.
    hidePhoneNumber: true,
    agentName: routing.agentName,
    agentMetadata: encodeDispatchMetadata({
      v: 1,
      route: route.name,
      persona: route.persona,
      humanQueue: route.humanQueue,
      values: { ...route.metadata },
    }),
  };
  return { key: `route:${route.name}`, ...body, hash: hashOf(body) };
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
