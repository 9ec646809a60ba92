import {
  SIPDispatchRuleInfo,
  SIPInboundTrunkInfo,
  SIPOutboundTrunkInfo,
  SIPTransport,
  SIPTrunkInfo,
} from '@livekit/protocol';
import { describe, expect, it, vi } from 'vitest';
import { parseRouting } from '../../../contracts/routing.ts';
import { desiredState, ownershipMetadata, type OutboundAuth } from './desired.ts';
import { applyPlan, formatPlan, planReconcile, type Plan } from './reconcile.ts';
import type { SipAdmin } from './sip-api.ts';

const OUTBOUND = `outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  transport: tls
  numbers: ["+18005550199", "+18005550100"]
`;
const routingYaml = (outbound = '') => `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ["198.51.100.0/24"] }
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

/** An outbound trunk as LiveKit lists it. */
const outboundTrunk = (id: string, name: string, metadata: string) =>
  new SIPOutboundTrunkInfo({ sipTrunkId: id, name, address: 'x.example', numbers: [], metadata });

/**
 * A SipAdmin whose LiveKit already holds the inbound trunk and rule the
 * routing file wants (so only the outbound trunk changes) plus `outbound`.
 */
function fakeAdmin(outbound: SIPOutboundTrunkInfo[]) {
  const desired = desiredFor('');
  const inbound = new SIPInboundTrunkInfo({
    sipTrunkId: 'ST_in',
    name: desired.trunk.name,
    metadata: ownershipMetadata(desired.trunk.key, desired.trunk.hash),
  });
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
    listSipInboundTrunk: vi.fn(async () => [inbound]),
    listSipOutboundTrunk: vi.fn(async () => outbound),
    listSipDispatchRule: vi.fn(async () => rules),
    createSipOutboundTrunk: vi.fn(
      async (name: string, address: string, numbers: string[], _opts: unknown) =>
        new SIPOutboundTrunkInfo({ sipTrunkId: 'ST_out_new', name, address, numbers }),
    ),
    updateSipOutboundTrunk: vi.fn(async (_id: string, info: SIPOutboundTrunkInfo) => info),
    deleteSipTrunk: vi.fn(async (id: string) => new SIPTrunkInfo({ sipTrunkId: id })),
  };
  // Only the calls an outbound-only plan makes exist: anything else would throw.
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
      metadata: expect.any(String),
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
    const desired = desiredFor(OUTBOUND, AUTH);
    const { admin } = fakeAdmin([]);
    const plan = await planReconcile(admin, desired);
    for (const text of [formatPlan(plan), JSON.stringify(plan)]) {
      expect(text).toContain('genesys-out');
      expect(text).not.toContain(AUTH.password);
      expect(text).not.toContain(AUTH.username);
    }
  });
});
