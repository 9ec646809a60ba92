import {
  SIPDispatchRuleInfo,
  SIPHeaderOptions,
  SIPInboundTrunkInfo,
  SIPMediaConfig,
  SIPMediaEncryption,
  SIPOutboundTrunkInfo,
  SIPTransport,
  SIPTrunkInfo,
} from '@livekit/protocol';
import { describe, expect, it, vi } from 'vitest';
import { parseRouting } from '../../../contracts/routing.ts';
import { headerAttributes } from '../../../contracts/sip-attributes.ts';
import { desiredState, ownershipMetadata, type InboundAuth, type OutboundAuth } from './desired.ts';
import { applyPlan, formatPlan, planReconcile, type Plan } from './reconcile.ts';
import type { SipAdmin } from './sip-api.ts';

const OUTBOUND = `outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  transport: tls
  numbers: ["+18005550199", "+18005550100"]
`;
const routingYaml = (outbound = '', inbound = '') => `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ["198.51.100.0/24"]${inbound} }
${outbound}queues:
  general: { target: "sip:+18005550150@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general }
`;
const AUTH: OutboundAuth = { username: 'ai-agents', password: 'digest-password-1' };
const HASH_KEY = 'livekit-api-secret-0123456789';

const desiredFor = (outbound: string, outboundAuth?: OutboundAuth) =>
  desiredState(parseRouting(routingYaml(outbound), 'test.yaml'), {
    outboundAuth,
    hashKey: HASH_KEY,
  });

/** Inbound trunk settings beyond the defaults, spliced into the inboundTrunk mapping. */
const INBOUND = ', numbers: ["+18005550109", "+18005550100"], mediaEncryption: require';
const AUTH_IN: InboundAuth = { username: 'genesys-byoc', password: 'inbound-password-1' };
const inboundDesired = (inboundAuth?: InboundAuth, inbound = INBOUND) =>
  desiredState(parseRouting(routingYaml('', inbound), 'test.yaml'), {
    inboundAuth,
    outboundAuth: undefined,
    hashKey: HASH_KEY,
  });

/** An outbound trunk as LiveKit lists it. */
const outboundTrunk = (id: string, name: string, metadata: string) =>
  new SIPOutboundTrunkInfo({ sipTrunkId: id, name, address: 'x.example', numbers: [], metadata });

/** Our inbound trunk as LiveKit lists it, stamped with `hash`. */
const inboundTrunk = (hash: string) =>
  new SIPInboundTrunkInfo({
    sipTrunkId: 'ST_in',
    name: 'genesys-byoc',
    metadata: ownershipMetadata('inbound-trunk', hash),
  });

/**
 * A SipAdmin whose LiveKit holds `inbound` (by default the inbound trunk the
 * plain routing file wants, so only the outbound trunk changes), the rules
 * the routing file wants, bound to ST_in, and `outbound`.
 */
function fakeAdmin(
  outbound: SIPOutboundTrunkInfo[],
  inbound = [inboundTrunk(desiredFor('').trunk.hash)],
) {
  const desired = desiredFor('');
  const rules = desired.rules.map(
    (r) =>
      new SIPDispatchRuleInfo({
        sipDispatchRuleId: `SDR_${r.route}`,
        name: r.name,
        trunkIds: ['ST_in'],
        metadata: ownershipMetadata(r.key, r.hash),
      }),
  );
  const client = {
    listSipInboundTrunk: vi.fn(async () => inbound),
    createSipInboundTrunk: vi.fn(
      async (name: string, numbers: string[], _opts: unknown) =>
        new SIPInboundTrunkInfo({ sipTrunkId: 'ST_in_new', name, numbers }),
    ),
    updateSipInboundTrunk: vi.fn(async (_id: string, info: SIPInboundTrunkInfo) => info),
    updateSipDispatchRule: vi.fn(async (_id: string, info: SIPDispatchRuleInfo) => info),
    listSipOutboundTrunk: vi.fn(async () => outbound),
    listSipDispatchRule: vi.fn(async () => rules),
    createSipOutboundTrunk: vi.fn(
      async (name: string, address: string, numbers: string[], _opts: unknown) =>
        new SIPOutboundTrunkInfo({ sipTrunkId: 'ST_out_new', name, address, numbers }),
    ),
    updateSipOutboundTrunk: vi.fn(async (_id: string, info: SIPOutboundTrunkInfo) => info),
    deleteSipTrunk: vi.fn(async (id: string) => new SIPTrunkInfo({ sipTrunkId: id })),
  };
  // Only the calls these plans make exist: anything else would throw.
  return { admin: { client } as unknown as SipAdmin, client };
}

const lines = (plan: Plan) =>
  plan.map((a) => `${a.op} ${a.kind} ${a.name}${a.id ? ` ${a.id}` : ''}`);

describe('planReconcile and the outbound trunk', () => {
  const desired = desiredFor(OUTBOUND, AUTH);
  const owned = (hash: string, key = 'outbound-trunk') =>
    outboundTrunk('ST_out', 'genesys-out', ownershipMetadata(key, hash));
  const foreign = [
    outboundTrunk('ST_carrier', 'carrier-x', ''),
    outboundTrunk(
      'ST_other',
      'other-team',
      JSON.stringify({ owner: 'someone-else', key: 'outbound-trunk', hash: 'h' }),
    ),
  ];

  it('creates it between the inbound trunk and the rules, leaving foreign trunks alone', async () => {
    const { admin } = fakeAdmin(foreign);
    expect(lines(await planReconcile(admin, desired))).toEqual([
      'keep inbound-trunk genesys-byoc ST_in',
      'create outbound-trunk genesys-out',
      'keep dispatch-rule route:main SDR_main',
    ]);
  });

  it('keeps it when the hash matches and updates it when not', async () => {
    const hash = desired.outboundTrunk?.hash ?? '';
    expect(
      lines(await planReconcile(fakeAdmin([owned(hash), ...foreign]).admin, desired)),
    ).toContain('keep outbound-trunk genesys-out ST_out');
    expect(
      lines(await planReconcile(fakeAdmin([owned('0ld'), ...foreign]).admin, desired)),
    ).toContain('update outbound-trunk genesys-out ST_out');
  });

  it('updates it when only the password changes', async () => {
    const hash = desired.outboundTrunk?.hash ?? '';
    const rotated = desiredFor(OUTBOUND, { ...AUTH, password: 'digest-password-2' });
    expect(lines(await planReconcile(fakeAdmin([owned(hash)]).admin, rotated))).toContain(
      'update outbound-trunk genesys-out ST_out',
    );
  });

  it('deletes an owned one the file no longer has, and nothing foreign', async () => {
    const { admin } = fakeAdmin([owned('h'), ...foreign]);
    const plan = await planReconcile(admin, desiredFor(''));
    expect(lines(plan)).toEqual([
      'keep inbound-trunk genesys-byoc ST_in',
      'delete outbound-trunk genesys-out ST_out',
      'keep dispatch-rule route:main SDR_main',
    ]);
  });

  it('plans nothing for outbound trunks when neither the file nor LiveKit has one of ours', async () => {
    const plan = await planReconcile(fakeAdmin(foreign).admin, desiredFor(''));
    expect(plan.filter((a) => a.kind === 'outbound-trunk')).toEqual([]);
  });

  it('deletes an owned outbound trunk under another key while creating the wanted one', async () => {
    const { admin } = fakeAdmin([owned('h', 'outbound-trunk-v0')]);
    expect(lines(await planReconcile(admin, desired)).slice(1, 3)).toEqual([
      'create outbound-trunk genesys-out',
      'delete outbound-trunk genesys-out ST_out',
    ]);
  });
});

describe('applyPlan and the outbound trunk', () => {
  const apply = async (
    desired: ReturnType<typeof desiredFor>,
    existing: SIPOutboundTrunkInfo[],
  ) => {
    const fake = fakeAdmin(existing);
    const result = await applyPlan(fake.admin, desired, await planReconcile(fake.admin, desired));
    return { result, client: fake.client };
  };

  it('creates it with transport, credentials and ownership metadata', async () => {
    const desired = desiredFor(OUTBOUND, AUTH);
    const { result, client } = await apply(desired, []);
    expect(result).toEqual({
      trunkId: 'ST_in',
      outboundTrunkId: 'ST_out_new',
      ruleIds: { main: 'SDR_main' },
    });
    expect(client.createSipOutboundTrunk).toHaveBeenCalledWith(
      'genesys-out',
      'acme.byoc.mypurecloud.com',
      ['+18005550199', '+18005550100'],
      {
        transport: SIPTransport.SIP_TRANSPORT_TLS,
        mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE,
        media: new SIPMediaConfig({ encryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE }),
        authUsername: 'ai-agents',
        authPassword: 'digest-password-1',
        metadata: ownershipMetadata('outbound-trunk', desired.outboundTrunk?.hash ?? ''),
      },
    );
  });

  it('creates it without credentials when none are configured', async () => {
    const { client } = await apply(desiredFor(OUTBOUND.replace('tls', 'udp')), []);
    expect(client.createSipOutboundTrunk.mock.calls[0]?.[3]).toEqual({
      transport: SIPTransport.SIP_TRANSPORT_UDP,
      mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE,
      media: new SIPMediaConfig({ encryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE }),
      metadata: expect.any(String),
    });
  });

  it('creates it with the media encryption the file asks for', async () => {
    const { client } = await apply(desiredFor(`${OUTBOUND}  mediaEncryption: require\n`, AUTH), []);
    expect(client.createSipOutboundTrunk.mock.calls[0]?.[3]).toMatchObject({
      mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE,
      media: new SIPMediaConfig({ encryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE }),
    });
  });

  it('replaces every field on update, clearing credentials no longer configured', async () => {
    const desired = desiredFor(OUTBOUND.replace('tls', 'tcp'));
    const stale = outboundTrunk(
      'ST_out',
      'genesys-out',
      ownershipMetadata('outbound-trunk', '0ld'),
    );
    const { result, client } = await apply(desired, [stale]);
    expect(result.outboundTrunkId).toBe('ST_out');
    expect(client.createSipOutboundTrunk).not.toHaveBeenCalled();
    expect(client.updateSipOutboundTrunk).toHaveBeenCalledWith(
      'ST_out',
      new SIPOutboundTrunkInfo({
        sipTrunkId: 'ST_out',
        name: 'genesys-out',
        address: 'acme.byoc.mypurecloud.com',
        transport: SIPTransport.SIP_TRANSPORT_TCP,
        numbers: ['+18005550199', '+18005550100'],
        mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE,
        media: new SIPMediaConfig({ encryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE }),
        authUsername: '',
        authPassword: '',
        metadata: ownershipMetadata('outbound-trunk', desired.outboundTrunk?.hash ?? ''),
      }),
    );
  });

  it('reports the id of a kept one and changes nothing', async () => {
    const desired = desiredFor(OUTBOUND, AUTH);
    const hash = desired.outboundTrunk?.hash ?? '';
    const { result, client } = await apply(desired, [
      outboundTrunk('ST_out', 'genesys-out', ownershipMetadata('outbound-trunk', hash)),
    ]);
    expect(result.outboundTrunkId).toBe('ST_out');
    expect(client.createSipOutboundTrunk).not.toHaveBeenCalled();
    expect(client.updateSipOutboundTrunk).not.toHaveBeenCalled();
    expect(client.deleteSipTrunk).not.toHaveBeenCalled();
  });

  it('deletes an owned one the file dropped and reports no outbound trunk', async () => {
    const { result, client } = await apply(desiredFor(''), [
      outboundTrunk('ST_out', 'genesys-out', ownershipMetadata('outbound-trunk', 'h')),
      outboundTrunk('ST_carrier', 'carrier-x', ''),
    ]);
    expect(result.outboundTrunkId).toBeUndefined();
    expect(client.deleteSipTrunk.mock.calls).toEqual([['ST_out']]);
  });
});

describe('planReconcile and the inbound trunk', () => {
  const plan = async (have: string, want: ReturnType<typeof inboundDesired>) =>
    lines(await planReconcile(fakeAdmin([], [inboundTrunk(have)]).admin, want));

  it('keeps it when numbers, media encryption and credentials are unchanged', async () => {
    const desired = inboundDesired(AUTH_IN);
    expect(await plan(desired.trunk.hash, desired)).toEqual([
      'keep inbound-trunk genesys-byoc ST_in',
      'keep dispatch-rule route:main SDR_main',
    ]);
  });

  it('updates it, and keeps the rules, when only the inbound password changes', async () => {
    const before = inboundDesired(AUTH_IN);
    const rotated = inboundDesired({ ...AUTH_IN, password: 'inbound-password-2' });
    expect(await plan(before.trunk.hash, rotated)).toEqual([
      'update inbound-trunk genesys-byoc ST_in',
      'keep dispatch-rule route:main SDR_main',
    ]);
  });

  it.each([
    ['the credentials are removed', inboundDesired(undefined)],
    ['the media encryption changes', inboundDesired(AUTH_IN, ', mediaEncryption: allow')],
    [
      'the numbers change',
      inboundDesired(AUTH_IN, ', numbers: ["+18005550100"], mediaEncryption: require'),
    ],
  ])('updates it when %s', async (_label, want) => {
    expect(await plan(inboundDesired(AUTH_IN).trunk.hash, want)).toContain(
      'update inbound-trunk genesys-byoc ST_in',
    );
  });
});

describe('applyPlan and the inbound trunk', () => {
  const apply = async (
    desired: ReturnType<typeof inboundDesired>,
    inbound: SIPInboundTrunkInfo[],
  ) => {
    const fake = fakeAdmin([], inbound);
    const result = await applyPlan(fake.admin, desired, await planReconcile(fake.admin, desired));
    return { result, client: fake.client };
  };
  const REQUIRE = SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE;

  it('creates it with numbers, media encryption, ring timeout, credentials and ownership metadata', async () => {
    const desired = inboundDesired(AUTH_IN);
    const { result, client } = await apply(desired, []);
    expect(result.trunkId).toBe('ST_in_new');
    expect(client.createSipInboundTrunk).toHaveBeenCalledWith(
      'genesys-byoc',
      ['+18005550100', '+18005550109'],
      {
        allowedAddresses: ['198.51.100.0/24'],
        headersToAttributes: { ...headerAttributes },
        includeHeaders: SIPHeaderOptions.SIP_X_HEADERS,
        mediaEncryption: REQUIRE,
        media: new SIPMediaConfig({ encryption: REQUIRE }),
        ringingTimeout: 3,
        authUsername: 'genesys-byoc',
        authPassword: 'inbound-password-1',
        metadata: ownershipMetadata('inbound-trunk', desired.trunk.hash),
      },
    );
    // The rule was bound to a trunk that is gone: it is rebound to the new one.
    expect(client.updateSipDispatchRule.mock.calls[0]?.[1].trunkIds).toEqual(['ST_in_new']);
  });

  it('creates it without credentials, allowing SRTP, by default', async () => {
    const { client } = await apply(inboundDesired(undefined, ''), []);
    const [, numbers, opts] = client.createSipInboundTrunk.mock.calls[0] ?? [];
    expect(numbers).toEqual(['+18005550100']);
    expect(opts).toMatchObject({
      mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW,
      media: new SIPMediaConfig({ encryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW }),
    });
    expect(opts).not.toHaveProperty('authUsername');
    expect(opts).not.toHaveProperty('authPassword');
  });

  it('replaces every field on update, with the new password', async () => {
    const rotated = { ...AUTH_IN, password: 'inbound-password-2' };
    const desired = inboundDesired(rotated);
    const { result, client } = await apply(desired, [
      inboundTrunk(inboundDesired(AUTH_IN).trunk.hash),
    ]);
    expect(result.trunkId).toBe('ST_in');
    expect(client.createSipInboundTrunk).not.toHaveBeenCalled();
    expect(client.updateSipInboundTrunk).toHaveBeenCalledWith(
      'ST_in',
      new SIPInboundTrunkInfo({
        sipTrunkId: 'ST_in',
        name: 'genesys-byoc',
        numbers: ['+18005550100', '+18005550109'],
        allowedAddresses: ['198.51.100.0/24'],
        headersToAttributes: { ...headerAttributes },
        includeHeaders: SIPHeaderOptions.SIP_X_HEADERS,
        mediaEncryption: REQUIRE,
        media: new SIPMediaConfig({ encryption: REQUIRE }),
        ringingTimeout: { seconds: 3n },
        authUsername: 'genesys-byoc',
        authPassword: 'inbound-password-2',
        metadata: ownershipMetadata('inbound-trunk', desired.trunk.hash),
      }),
    );
    expect(client.updateSipDispatchRule).not.toHaveBeenCalled();
  });

  it('clears credentials no longer configured on update', async () => {
    const { client } = await apply(inboundDesired(undefined), [
      inboundTrunk(inboundDesired(AUTH_IN).trunk.hash),
    ]);
    expect(client.updateSipInboundTrunk.mock.calls[0]?.[1]).toMatchObject({
      authUsername: '',
      authPassword: '',
    });
  });
});

describe('formatPlan', () => {
  it('prints one aligned line per action, outbound trunk included', () => {
    expect(
      formatPlan([
        {
          op: 'keep',
          kind: 'inbound-trunk',
          key: 'inbound-trunk',
          name: 'genesys-byoc',
          id: 'ST_in',
        },
        { op: 'create', kind: 'outbound-trunk', key: 'outbound-trunk', name: 'genesys-out' },
        { op: 'update', kind: 'dispatch-rule', key: 'route:main', name: 'route:main', id: 'SDR_1' },
      ]),
    ).toBe(
      [
        'keep   inbound-trunk  genesys-byoc (ST_in)',
        'create outbound-trunk genesys-out',
        'update dispatch-rule  route:main (SDR_1)',
      ].join('\n'),
    );
  });

  it('never shows the credentials', async () => {
    const desired = desiredState(parseRouting(routingYaml(OUTBOUND), 'test.yaml'), {
      inboundAuth: AUTH_IN,
      outboundAuth: AUTH,
      hashKey: HASH_KEY,
    });
    const { admin } = fakeAdmin([]);
    const plan = await planReconcile(admin, desired);
    for (const text of [formatPlan(plan), JSON.stringify(plan)]) {
      expect(text).toContain('genesys-out');
      expect(text).toContain('genesys-byoc');
      for (const secret of [AUTH.password, AUTH.username, AUTH_IN.password])
        expect(text).not.toContain(secret);
    }
  });
});

describe('applyPlan and a stale rule holding a number', () => {
  it('deletes the stale rule before creating the rule that takes its number', async () => {
    const desired = desiredFor('');
    const order: string[] = [];
    const live = new Set(['SDR_stale']);
    // LiveKit's own constraint: one rule per trunk and number.
    const admin = {
      client: {
        deleteSipDispatchRule: vi.fn(async (id: string) => {
          live.delete(id);
          order.push(`delete ${id}`);
          return new SIPDispatchRuleInfo({ sipDispatchRuleId: id });
        }),
      },
      createDispatchRule: vi.fn(async (rule: SIPDispatchRuleInfo) => {
        if (live.has('SDR_stale'))
          throw new Error(
            'CreateSIPDispatchRule failed with HTTP 409: Dispatch rule for the same trunk, inbound number, number, and PIN combination already exists',
          );
        order.push(`create ${rule.name}`);
        return new SIPDispatchRuleInfo({ sipDispatchRuleId: 'SDR_new' });
      }),
    } as unknown as SipAdmin;
    const plan: Plan = [
      {
        op: 'keep',
        kind: 'inbound-trunk',
        key: 'inbound-trunk',
        name: 'genesys-byoc',
        id: 'ST_in',
      },
      { op: 'create', kind: 'dispatch-rule', key: 'route:main', name: 'route:main' },
      {
        op: 'delete',
        kind: 'dispatch-rule',
        key: 'route:renamed',
        name: 'route:renamed',
        id: 'SDR_stale',
      },
    ];
    expect(await applyPlan(admin, desired, plan)).toMatchObject({
      trunkId: 'ST_in',
      ruleIds: { main: 'SDR_new' },
    });
    expect(order).toEqual(['delete SDR_stale', `create ${desired.rules[0]?.name}`]);
  });
});
