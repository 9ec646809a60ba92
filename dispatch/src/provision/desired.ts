/**
 * What LiveKit should hold for a routing file: one inbound trunk for the
 * Genesys BYOC trunk and one dispatch rule per route. Pure, so plans can be
 * computed and tested without a server.
 */
import { createHash } from 'node:crypto';
import { encodeDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import type { Route, RoutingConfig } from '../../../contracts/routing.ts';
import { headerAttributes, OWNER_TAG } from '../../../contracts/sip-attributes.ts';

/** Stored in each object's metadata: who owns it, which part of the file it is, and its content hash. */
export type Ownership = Readonly<{ owner: typeof OWNER_TAG; key: string; hash: string }>;

export type DesiredTrunk = Readonly<{
  key: 'inbound-trunk';
  name: string;
  numbers: readonly string[];
  allowedAddresses: readonly string[];
  headersToAttributes: Readonly<Record<string, string>>;
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

export type DesiredState = Readonly<{ trunk: DesiredTrunk; rules: readonly DesiredRule[] }>;

export function desiredState(routing: RoutingConfig): DesiredState {
  const numbers = [...new Set(routing.routes.flatMap((r) => r.numbers))].sort();
  const trunkBody = {
    name: routing.inboundTrunk.name,
    numbers,
    allowedAddresses: [...routing.inboundTrunk.allowedAddresses].sort(),
    headersToAttributes: { ...headerAttributes },
  };
  return {
    trunk: { key: 'inbound-trunk', ...trunkBody, hash: hashOf(trunkBody) },
    rules: routing.routes.map((route) => desiredRule(routing, route)),
  };
}

function desiredRule(routing: RoutingConfig, route: Route): DesiredRule {
  const body = {
    name: `route:${route.name}`,
    route: route.name,
    numbers: [...route.numbers].sort(),
    roomPrefix: `call-${route.name}-`,
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

export function ownershipMetadata(key: string, hash: string): string {
  const o: Ownership = { owner: OWNER_TAG, key, hash };
  return JSON.stringify(o);
}

/** The ownership stamp of an existing object, or undefined when someone else owns it. */
export function readOwnership(metadata: string | undefined): Ownership | undefined {
  if (!metadata) return undefined;
  try {
    const o = JSON.parse(metadata) as Partial<Ownership>;
    return o.owner === OWNER_TAG && typeof o.key === 'string' && typeof o.hash === 'string'
      ? { owner: OWNER_TAG, key: o.key, hash: o.hash }
      : undefined;
  } catch {
    return undefined;
  }
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
