import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { HAND_ON_GRACE_SECONDS } from '../../../contracts/hand-on.ts';
import { loadRouting, parseRouting, type RoutingConfig } from '../../../contracts/routing.ts';
import { headerAttributes, OWNER_TAG } from '../../../contracts/sip-attributes.ts';
import { trunkInfo } from './builders.ts';
import { desiredState, ownershipMetadata, readOwnership } from './desired.ts';

const REAL_ROUTING_FILE = fileURLToPath(
  new URL('../../../livekit-config/routing.yaml', import.meta.url),
);

type RoutingDoc = {
  inboundTrunk: Record<string, unknown> & { allowedAddresses: string[] };
  routes: Array<Record<string, unknown> & { name: string; numbers: string[]; persona: string }>;
};

/** The real routing file plus a second route, as mutable plain data. */
function twoRouteDoc(): RoutingDoc {
  const doc = parseYaml(readFileSync(REAL_ROUTING_FILE, 'utf8')) as RoutingDoc;
  doc.routes.push({
    name: 'billing-line',
    numbers: ['+18005550300', '+18005550200'],
    persona: 'billing',
    humanQueue: 'billing',
    metadata: { brand: 'acme' },
  });
  return doc;
}

const parseDoc = (doc: RoutingDoc): RoutingConfig => parseRouting(stringify(doc), 'test.yaml');

describe('desiredState from livekit-config/routing.yaml', () => {
  const routing = loadRouting(REAL_ROUTING_FILE);
  const state = desiredState(routing);

  it('wants one inbound trunk with every routed number', () => {
    expect(state.trunk).toEqual({
      key: 'inbound-trunk',
      name: 'genesys-byoc-local',
      numbers: ['+18005550100'],
      allowedAddresses: ['127.0.0.1'],
      headersToAttributes: headerAttributes,
      mediaEncryption: 'allow',
      ringTimeoutSeconds: 3,
      auth: undefined,
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it("rings a caller no agent takes for the trunk's ring timeout, then livekit-sip refuses the call", () => {
    const doc = parseYaml(readFileSync(REAL_ROUTING_FILE, 'utf8')) as RoutingDoc;
    const longer = desiredState(
      parseDoc({ ...doc, inboundTrunk: { ...doc.inboundTrunk, ringTimeoutSeconds: 10 } }),
    );
    expect(longer.trunk.ringTimeoutSeconds).toBe(10);
    // A changed timeout is a changed trunk: the reconciler updates it.
    expect(longer.trunk.hash).not.toBe(state.trunk.hash);
    expect(trunkInfo(longer.trunk, 'ST_1').ringingTimeout?.seconds).toBe(10n);
  });

  it('rings a caller on a queue trunk longer than the ring timeout, so a hand-on under way can answer', () => {
    const doc = parseYaml(readFileSync(REAL_ROUTING_FILE, 'utf8')) as RoutingDoc;
    const queue = desiredState(
      parseDoc({ ...doc, inboundTrunk: { ...doc.inboundTrunk, whenNoAgent: 'queue' } }),
    );
    expect(queue.trunk.ringTimeoutSeconds).toBe(3 + HAND_ON_GRACE_SECONDS);
    expect(queue.trunk.hash).not.toBe(state.trunk.hash);
    expect(trunkInfo(queue.trunk, 'ST_1').ringingTimeout?.seconds).toBe(5n);
  });

  it('maps exactly the headers the agent reads', () => {
    expect(state.trunk.headersToAttributes).toEqual({ ...headerAttributes });
    expect(Object.keys(state.trunk.headersToAttributes).sort()).toEqual(
      Object.keys(headerAttributes).sort(),
    );
  });

  it('wants one dispatch rule per route', () => {
    expect(state.rules).toHaveLength(routing.routes.length);
    expect(state.rules[0]).toEqual({
      key: 'route:main',
      name: 'route:main',
      route: 'main',
      numbers: ['+18005550100'],
      roomPrefix: 'call-main-',
      hidePhoneNumber: true,
      agentName: 'genesys-voice-agent',
      agentMetadata: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('wants no dispatch rule for a route chosen only by a header match', () => {
    const doc = twoRouteDoc();
    doc.routes.push({
      name: 'platinum',
      match: { header: 'X-Customer-Tier', equals: 'platinum' },
      persona: 'self-service',
      humanQueue: 'general',
    } as unknown as RoutingDoc['routes'][number]);
    const rules = desiredState(parseDoc(doc)).rules.map((r) => r.route);
    expect(rules).toEqual(['main', 'billing-line']);
  });

  it('writes agent metadata that the agent parses back to the route', () => {
    const rule = state.rules[0];
    expect(rule).toBeDefined();
    expect(parseDispatchMetadata(rule?.agentMetadata ?? '')).toEqual({
      v: 1,
      route: 'main',
      persona: 'triage',
      humanQueue: 'general',
      values: {},
    });
  });

  it('computes the same hashes every time', () => {
    const again = desiredState(loadRouting(REAL_ROUTING_FILE));
    expect(again.trunk.hash).toBe(state.trunk.hash);
    expect(again.rules.map((r) => r.hash)).toEqual(state.rules.map((r) => r.hash));
    expect(again).toEqual(state);
  });
});

describe('desiredState with several routes', () => {
  const state = desiredState(parseDoc(twoRouteDoc()));

  it('puts all route numbers on the trunk, sorted', () => {
    expect(state.trunk.numbers).toEqual(['+18005550100', '+18005550200', '+18005550300']);
  });

  it('builds a rule per route in file order with its own numbers and metadata', () => {
    expect(state.rules.map((r) => r.key)).toEqual(['route:main', 'route:billing-line']);
    const billing = state.rules[1];
    expect(billing?.numbers).toEqual(['+18005550200', '+18005550300']);
    expect(billing?.roomPrefix).toBe('call-billing-line-');
    expect(parseDispatchMetadata(billing?.agentMetadata ?? '')).toEqual({
      v: 1,
      route: 'billing-line',
      persona: 'billing',
      humanQueue: 'billing',
      values: { brand: 'acme' },
    });
  });

  it('gives different routes different hashes', () => {
    expect(state.rules[0]?.hash).not.toBe(state.rules[1]?.hash);
  });

  it("changes only that rule's hash when a route's persona changes", () => {
    const doc = twoRouteDoc();
    const billing = doc.routes[1];
    if (billing) billing.persona = 'collections';
    const changed = desiredState(parseDoc(doc));
    expect(changed.rules[1]?.hash).not.toBe(state.rules[1]?.hash);
    expect(changed.rules[0]?.hash).toBe(state.rules[0]?.hash);
    expect(changed.trunk.hash).toBe(state.trunk.hash);
  });

  it('changes the trunk hash when a number is added', () => {
    const doc = twoRouteDoc();
    doc.routes[0]?.numbers.push('+18005550101');
    const changed = desiredState(parseDoc(doc));
    expect(changed.trunk.hash).not.toBe(state.trunk.hash);
    expect(changed.rules[0]?.hash).not.toBe(state.rules[0]?.hash);
    expect(changed.rules[1]?.hash).toBe(state.rules[1]?.hash);
  });

  it('does not depend on the order of numbers or addresses in the file', () => {
    const doc = twoRouteDoc();
    doc.routes[1]?.numbers.reverse();
    doc.inboundTrunk.allowedAddresses = ['127.0.0.2', '127.0.0.1'];
    const reordered = desiredState(parseDoc(doc));
    doc.inboundTrunk.allowedAddresses.reverse();
    doc.routes[1]?.numbers.reverse();
    const original = desiredState(parseDoc(doc));
    expect(reordered.trunk.allowedAddresses).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(reordered.trunk.hash).toBe(original.trunk.hash);
    expect(reordered.rules[1]?.hash).toBe(original.rules[1]?.hash);
  });
});

describe('ownershipMetadata / readOwnership', () => {
  it('round-trips the owner tag, key and hash', () => {
    expect(readOwnership(ownershipMetadata('route:main', '0123456789abcdef'))).toEqual({
      owner: OWNER_TAG,
      key: 'route:main',
      hash: '0123456789abcdef',
    });
  });

  it('writes JSON carrying the owner tag', () => {
    expect(JSON.parse(ownershipMetadata('inbound-trunk', 'abc'))).toEqual({
      owner: 'genesys-voice-agents/dispatch',
      key: 'inbound-trunk',
      hash: 'abc',
    });
  });

  it('keeps only the ownership fields', () => {
    expect(
      readOwnership(JSON.stringify({ owner: OWNER_TAG, key: 'k', hash: 'h', extra: 'x' })),
    ).toEqual({ owner: OWNER_TAG, key: 'k', hash: 'h' });
  });

  it.each([
    ['another owner', JSON.stringify({ owner: 'someone-else', key: 'route:main', hash: 'h' })],
    ['no owner', JSON.stringify({ key: 'route:main', hash: 'h' })],
    ['a numeric key', JSON.stringify({ owner: OWNER_TAG, key: 1, hash: 'h' })],
    ['no hash', JSON.stringify({ owner: OWNER_TAG, key: 'route:main' })],
    ['plain text', 'created by hand'],
    ['truncated JSON', '{"owner":"genesys-voice-agents/dispatch"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['an empty string', ''],
  ])('returns undefined for %s', (_label, metadata) => {
    expect(readOwnership(metadata)).toBeUndefined();
  });

  it('returns undefined for missing metadata', () => {
    expect(readOwnership(undefined)).toBeUndefined();
  });
});

describe('desiredState with an outbound trunk', () => {
  const outbound = {
    name: 'genesys-out',
    address: 'acme.byoc.mypurecloud.com:5061',
    transport: 'tls',
    numbers: ['+18005550199', '+18005550100'],
  };
  const withOutbound = (trunk: Record<string, unknown> = outbound): RoutingConfig =>
    parseDoc({ ...twoRouteDoc(), outboundTrunk: trunk } as RoutingDoc);
  const auth = { username: 'ai-agents', password: 'digest-password-1' };
  const KEY = 'livekit-api-secret-0123456789';

  it('wants no outbound trunk when the file has none', () => {
    expect(desiredState(parseDoc(twoRouteDoc())).outboundTrunk).toBeUndefined();
  });

  it("wants the file's outbound trunk, numbers in file order", () => {
    expect(desiredState(withOutbound()).outboundTrunk).toEqual({
      key: 'outbound-trunk',
      name: 'genesys-out',
      address: 'acme.byoc.mypurecloud.com:5061',
      transport: 'tls',
      numbers: ['+18005550199', '+18005550100'],
      mediaEncryption: 'disable',
      auth: undefined,
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('defaults the transport to udp', () => {
    const udp: Record<string, unknown> = { ...outbound };
    delete udp['transport'];
    expect(desiredState(withOutbound(udp)).outboundTrunk?.transport).toBe('udp');
  });

  it('carries the credentials it is given', () => {
    const trunk = desiredState(withOutbound(), { outboundAuth: auth, hashKey: KEY }).outboundTrunk;
    expect(trunk?.auth).toEqual(auth);
  });

  it('changes only the outbound trunk hash when the outbound trunk changes', () => {
    const before = desiredState(withOutbound());
    for (const change of [
      { address: 'other.byoc.mypurecloud.com' },
      { transport: 'tcp' },
      { name: 'genesys-out-2' },
      { numbers: ['+18005550100', '+18005550199'] }, // another default caller id
      { mediaEncryption: 'allow' },
      { mediaEncryption: 'require' },
    ]) {
      const after = desiredState(withOutbound({ ...outbound, ...change }));
      expect(after.outboundTrunk?.hash, JSON.stringify(change)).not.toBe(
        before.outboundTrunk?.hash,
      );
      expect(after.trunk.hash).toBe(before.trunk.hash);
      expect(after.rules.map((r) => r.hash)).toEqual(before.rules.map((r) => r.hash));
    }
  });

  it('leaves the inbound trunk and rules as they are without an outbound trunk', () => {
    const without = desiredState(parseDoc(twoRouteDoc()));
    const withIt = desiredState(withOutbound());
    expect(withIt.trunk).toEqual(without.trunk);
    expect(withIt.rules).toEqual(without.rules);
  });

  it('changes the hash when credentials are added, changed or removed', () => {
    const hash = (outboundAuth: typeof auth | undefined) =>
      desiredState(withOutbound(), { outboundAuth, hashKey: KEY }).outboundTrunk?.hash;
    const hashes = [
      hash(undefined),
      hash(auth),
      hash({ ...auth, password: 'digest-password-2' }),
      hash({ ...auth, username: 'ai-agents-2' }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hash(auth)).toBe(hashes[1]);
  });

  it('keeps the credentials out of the hash: it depends on the key too', () => {
    const hash = (hashKey: string) =>
      desiredState(withOutbound(), { outboundAuth: auth, hashKey }).outboundTrunk?.hash;
    expect(hash(KEY)).not.toBe(hash('another-secret-0123456789'));
    // Without credentials the key does not matter.
    const none = (hashKey: string) =>
      desiredState(withOutbound(), { outboundAuth: undefined, hashKey }).outboundTrunk?.hash;
    expect(none(KEY)).toBe(none('another-secret-0123456789'));
    expect(none(KEY)).toBe(desiredState(withOutbound()).outboundTrunk?.hash);
  });
});

describe('desiredState and the inbound trunk settings', () => {
  const withTrunk = (change: Record<string, unknown>): RoutingConfig => {
    const doc = twoRouteDoc();
    return parseDoc({ ...doc, inboundTrunk: { ...doc.inboundTrunk, ...change } });
  };
  const base = desiredState(parseDoc(twoRouteDoc()));
  const auth = { username: 'genesys-byoc', password: 'inbound-password-1' };
  const KEY = 'livekit-api-secret-0123456789';

  it("takes inboundTrunk.numbers, sorted, instead of the routes' numbers", () => {
    const numbers = ['+18005550999', '+18005550300', '+18005550100', '+18005550200'];
    const state = desiredState(withTrunk({ numbers }));
    expect(state.trunk.numbers).toEqual([
      '+18005550100',
      '+18005550200',
      '+18005550300',
      '+18005550999',
    ]);
    expect(state.trunk.hash).not.toBe(base.trunk.hash);
    expect(state.rules).toEqual(base.rules);
  });

  it("hashes an explicit list equal to the routes' numbers like the default", () => {
    const numbers = ['+18005550300', '+18005550200', '+18005550100'];
    expect(desiredState(withTrunk({ numbers })).trunk).toEqual(base.trunk);
  });

  it('carries the media encryption, changing only the inbound trunk hash', () => {
    const hashes = (['disable', 'allow', 'require'] as const).map((mediaEncryption) => {
      const state = desiredState(withTrunk({ mediaEncryption }));
      expect(state.trunk.mediaEncryption).toBe(mediaEncryption);
      expect(state.rules).toEqual(base.rules);
      return state.trunk.hash;
    });
    expect(new Set(hashes).size).toBe(3);
    expect(hashes[1]).toBe(base.trunk.hash); // allow is the default
  });

  it('carries the credentials it is given, and none by default', () => {
    expect(base.trunk.auth).toBeUndefined();
    const routing = parseDoc(twoRouteDoc());
    const state = desiredState(routing, {
      inboundAuth: auth,
      outboundAuth: undefined,
      hashKey: KEY,
    });
    expect(state.trunk.auth).toEqual(auth);
  });

  it('changes the inbound hash when credentials are added, changed or removed', () => {
    const routing = parseDoc(twoRouteDoc());
    const hash = (inboundAuth: typeof auth | undefined) =>
      desiredState(routing, { inboundAuth, outboundAuth: undefined, hashKey: KEY }).trunk.hash;
    const hashes = [
      hash(undefined),
      hash(auth),
      hash({ ...auth, password: 'inbound-password-2' }),
      hash({ ...auth, username: 'genesys-byoc-2' }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hash(auth)).toBe(hashes[1]);
    expect(hash(undefined)).toBe(base.trunk.hash);
  });

  it('keys the inbound credentials fingerprint with the hash key', () => {
    const routing = parseDoc(twoRouteDoc());
    const hash = (hashKey: string) =>
      desiredState(routing, { inboundAuth: auth, outboundAuth: undefined, hashKey }).trunk.hash;
    expect(hash(KEY)).not.toBe(hash('another-secret-0123456789'));
  });

  it('keeps the inbound and outbound credentials apart', () => {
    const routing = parseDoc({
      ...twoRouteDoc(),
      outboundTrunk: {
        name: 'genesys-out',
        address: 'acme.byoc.mypurecloud.com',
        transport: 'tls',
        numbers: ['+18005550199'],
      },
    } as RoutingDoc);
    const outboundAuth = { username: 'ai-agents', password: 'digest-password-1' };
    const neither = desiredState(routing, { outboundAuth: undefined, hashKey: KEY });
    const inboundOnly = desiredState(routing, {
      inboundAuth: auth,
      outboundAuth: undefined,
      hashKey: KEY,
    });
    const outboundOnly = desiredState(routing, { outboundAuth, hashKey: KEY });
    expect(inboundOnly.trunk.hash).not.toBe(neither.trunk.hash);
    expect(inboundOnly.outboundTrunk).toEqual(neither.outboundTrunk);
    expect(outboundOnly.trunk).toEqual(neither.trunk);
    expect(outboundOnly.outboundTrunk?.auth).toEqual(outboundAuth);
    expect(inboundOnly.outboundTrunk?.auth).toBeUndefined();
  });

  it('does not depend on genesys.organizationId', () => {
    const doc = twoRouteDoc() as RoutingDoc & { genesys: Record<string, unknown> };
    doc.genesys = { ...doc.genesys, organizationId: '6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5a' };
    expect(desiredState(parseDoc(doc))).toEqual(base);
  });
});
