/**
 * Dispatch's reconciler against a real livekit-server: it creates the trunks
 * (inbound, and outbound when the file has one) and one dispatch rule per
 * route, is a no-op the second time, updates in place when the routing file
 * or the trunks' credentials change, deletes what a file no longer has, and
 * never touches SIP objects someone else created.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SIPMediaEncryption, SIPTransport } from '@livekit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDispatchMetadata } from '../contracts/dispatch-metadata.ts';
import { parseRouting } from '../contracts/routing.ts';
import {
  desiredState,
  readOwnership,
  type InboundAuth,
  type OutboundAuth,
} from '../dispatch/src/provision/desired.ts';
import { applyPlan, planReconcile } from '../dispatch/src/provision/reconcile.ts';
import { SipAdmin } from '../dispatch/src/provision/sip-api.ts';
import { REPO_ROOT } from './harness/tools.ts';
import { startStack, type Stack } from './harness/stack.ts';

const routingYaml = (routes: string) => `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ["198.51.100.0/24"] }
queues:
  general: { target: "sip:+18005550150@byoc.example" }
  billing: { target: "sip:+18005550151@byoc.example" }
routes:
${routes}`;

const TWO_ROUTES =
  routingYaml(`  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general }
  - { name: closed, numbers: ["+18005550101"], persona: after-hours, humanQueue: general }
`);

const OUTBOUND = `outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  transport: tls
  numbers: ["+18005550199", "+18005550100"]
`;
/** The routing file with an outbound trunk (before `queues:`). */
const withOutbound = (yaml: string, outbound = OUTBOUND) =>
  yaml.replace('queues:\n', `${outbound}queues:\n`);
const AUTH: OutboundAuth = { username: 'ai-agents', password: 'digest-password-1' };

describe('reconciler against a real livekit-server', () => {
  let stack: Stack;
  let admin: SipAdmin;
  let foreignTrunk: string;
  let foreignRule: string;
  let foreignOutbound: string;

  const desiredFor = (yaml: string, outboundAuth?: OutboundAuth, inboundAuth?: InboundAuth) =>
    desiredState(parseRouting(yaml, 'test.yaml'), {
      inboundAuth,
      outboundAuth,
      hashKey: stack.livekit.apiSecret,
    });
  const ops = async (yaml: string, outboundAuth?: OutboundAuth, inboundAuth?: InboundAuth) =>
    (await planReconcile(admin, desiredFor(yaml, outboundAuth, inboundAuth))).map(
      (a) => `${a.op} ${a.kind} ${a.name}`,
    );
  const apply = async (yaml: string, outboundAuth?: OutboundAuth, inboundAuth?: InboundAuth) => {
    const desired = desiredFor(yaml, outboundAuth, inboundAuth);
    return applyPlan(admin, desired, await planReconcile(admin, desired));
  };
  const inboundTrunk = async (id: string) =>
    (await admin.client.listSipInboundTrunk()).find((t) => t.sipTrunkId === id);
  const outboundTrunk = async (id: string) =>
    (await admin.client.listSipOutboundTrunk()).find((t) => t.sipTrunkId === id);

  beforeAll(async () => {
    stack = await startStack({ slot: 5, name: 'test-reconcile', livekitOnly: true });
    admin = new SipAdmin({
      apiUrl: stack.livekit.httpUrl,
      apiKey: stack.livekit.apiKey,
      apiSecret: stack.livekit.apiSecret,
    });
    // Objects another team made by hand: the reconciler must leave them alone.
    foreignTrunk = (await admin.client.createSipInboundTrunk('carrier-x', ['+14155550000']))
      .sipTrunkId;
    foreignRule = (
      await admin.client.createSipDispatchRule(
        { type: 'direct', roomName: 'lobby' },
        { name: 'hand-made', trunkIds: [foreignTrunk] },
      )
    ).sipDispatchRuleId;
    foreignOutbound = (
      await admin.client.createSipOutboundTrunk(
        'carrier-x-out',
        'sip.carrier.example',
        ['+14155550001'],
        {
          transport: SIPTransport.SIP_TRANSPORT_UDP,
        },
      )
    ).sipTrunkId;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('plans and creates the trunk and one rule per route on an empty server', async () => {
    expect(await ops(TWO_ROUTES)).toEqual([
      'create inbound-trunk genesys-byoc',
      'create dispatch-rule route:main',
      'create dispatch-rule route:closed',
    ]);
    const { trunkId, ruleIds } = await apply(TWO_ROUTES);

    const [trunk] = await admin.client.listSipInboundTrunk({ trunkIds: [trunkId] });
    expect(trunk?.numbers.sort()).toEqual(['+18005550100', '+18005550101']);
    expect(trunk?.allowedAddresses).toEqual(['198.51.100.0/24']);
    expect(trunk?.headersToAttributes).toMatchObject({ 'x-inin-cnv': 'genesys.conversationId' });

    const rules = await admin.client.listSipDispatchRule({
      dispatchRuleIds: Object.values(ruleIds),
    });
    const main = rules.find((r) => r.sipDispatchRuleId === ruleIds['main']);
    expect(main?.numbers).toEqual(['+18005550100']);
    expect(main?.trunkIds).toEqual([trunkId]);
    const agent = main?.roomConfig?.agents[0];
    expect(agent?.agentName).toBe('genesys-voice-agent');
    expect(parseDispatchMetadata(agent?.metadata ?? '')).toMatchObject({
      route: 'main',
      persona: 'triage',
      humanQueue: 'general',
    });
  });

  it('plans nothing but keep the second time', async () => {
    expect(await ops(TWO_ROUTES)).toEqual([
      'keep inbound-trunk genesys-byoc',
      'keep dispatch-rule route:main',
      'keep dispatch-rule route:closed',
    ]);
  });

  it('updates in place when a route changes and deletes a route the file drops', async () => {
    const before = await apply(TWO_ROUTES);
    const changed =
      routingYaml(`  - { name: main, numbers: ["+18005550100", "+18005550102"], persona: triage, humanQueue: billing }
`);
    expect(await ops(changed)).toEqual([
      'update inbound-trunk genesys-byoc',
      'update dispatch-rule route:main',
      'delete dispatch-rule route:closed',
    ]);
    const after = await apply(changed);
    expect(after.trunkId).toBe(before.trunkId);
    expect(after.ruleIds['main']).toBe(before.ruleIds['main']);

    const [rule] = await admin.client.listSipDispatchRule({
      dispatchRuleIds: [after.ruleIds['main']!],
    });
    expect(rule?.numbers.sort()).toEqual(['+18005550100', '+18005550102']);
    expect(parseDispatchMetadata(rule?.roomConfig?.agents[0]?.metadata ?? '').humanQueue).toBe(
      'billing',
    );
    const ids = (await admin.client.listSipDispatchRule()).map((r) => r.sipDispatchRuleId);
    expect(ids).not.toContain(before.ruleIds['closed']);
  });

  it('never touched the hand-made trunk and rule', async () => {
    const trunks = (await admin.client.listSipInboundTrunk()).map((t) => t.sipTrunkId);
    const rules = (await admin.client.listSipDispatchRule()).map((r) => r.sipDispatchRuleId);
    expect(trunks).toContain(foreignTrunk);
    expect(rules).toContain(foreignRule);
  });

  it('apply --dry-run prints the plan and changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-'));
    const file = join(dir, 'routing.yaml');
    writeFileSync(file, TWO_ROUTES);
    const rulesBefore = (await admin.client.listSipDispatchRule()).length;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'dispatch/src/main.ts'), 'apply', '--dry-run'],
      {
        env: {
          ...process.env,
          LIVEKIT_URL: stack.livekit.httpUrl,
          LIVEKIT_API_KEY: stack.livekit.apiKey,
          LIVEKIT_API_SECRET: stack.livekit.apiSecret,
          ROUTING_FILE: file,
        },
      },
    );
    expect(stdout).toMatch(/^update +inbound-trunk +genesys-byoc/m);
    expect(stdout).toMatch(/^create +dispatch-rule +route:closed/m);
    expect((await admin.client.listSipDispatchRule()).length).toBe(rulesBefore);
  });

  it('refuses an invalid routing file with the file, path and problem, changing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-'));
    const file = join(dir, 'routing.yaml');
    writeFileSync(
      file,
      TWO_ROUTES.replace(
        'humanQueue: general }\n  - { name: closed',
        'humanQueue: sales }\n  - { name: closed',
      ),
    );
    const run = promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'dispatch/src/main.ts'), 'apply'],
      {
        env: {
          ...process.env,
          LIVEKIT_URL: stack.livekit.httpUrl,
          LIVEKIT_API_KEY: stack.livekit.apiKey,
          LIVEKIT_API_SECRET: stack.livekit.apiSecret,
          ROUTING_FILE: file,
        },
      },
    );
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`invalid routing file ${file}`),
    });
    await expect(run).rejects.toMatchObject({
      stderr: expect.stringContaining('routes.0.humanQueue: queue "sales" is not defined'),
    });
  });

  describe('the outbound trunk', () => {
    // LiveKit holds the "changed" file's trunk and rule by now; only the outbound lines matter.
    const outboundOps = async (yaml: string, auth?: OutboundAuth) =>
      (await ops(yaml, auth)).filter((op) => op.includes(' outbound-trunk '));
    const MAIN_ONLY =
      routingYaml(`  - { name: main, numbers: ["+18005550100", "+18005550102"], persona: triage, humanQueue: billing }
`);
    let outboundId: string;

    it('creates it with its address, transport, caller ids and credentials', async () => {
      expect(await outboundOps(withOutbound(MAIN_ONLY), AUTH)).toEqual([
        'create outbound-trunk genesys-out',
      ]);
      const result = await apply(withOutbound(MAIN_ONLY), AUTH);
      outboundId = result.outboundTrunkId ?? '';
      expect(outboundId).toMatch(/^ST_/);
      const trunk = await outboundTrunk(outboundId);
      expect(trunk).toMatchObject({
        name: 'genesys-out',
        address: 'acme.byoc.mypurecloud.com',
        transport: SIPTransport.SIP_TRANSPORT_TLS,
        numbers: ['+18005550199', '+18005550100'],
        authUsername: 'ai-agents',
      });
      // disable (the default) is stored explicitly, so it wins over any other source.
      expect(trunk?.media?.encryption).toBe(SIPMediaEncryption.SIP_MEDIA_ENCRYPT_DISABLE);
      expect(readOwnership(trunk?.metadata)?.key).toBe('outbound-trunk');
    });

    it('plans keep the second time', async () => {
      expect(await ops(withOutbound(MAIN_ONLY), AUTH)).toEqual([
        'keep inbound-trunk genesys-byoc',
        'keep outbound-trunk genesys-out',
        'keep dispatch-rule route:main',
      ]);
    });

    it('updates it in place when only the password changes', async () => {
      const rotated = { ...AUTH, password: 'digest-password-2' };
      expect(await outboundOps(withOutbound(MAIN_ONLY), rotated)).toEqual([
        'update outbound-trunk genesys-out',
      ]);
      expect((await apply(withOutbound(MAIN_ONLY), rotated)).outboundTrunkId).toBe(outboundId);
      expect(await outboundOps(withOutbound(MAIN_ONLY), rotated)).toEqual([
        'keep outbound-trunk genesys-out',
      ]);
    });

    it('updates it in place when the file changes it, dropping credentials no longer set', async () => {
      const changed = withOutbound(
        MAIN_ONLY,
        `${OUTBOUND.replace('acme.byoc', 'acme2.byoc').replace('tls', 'tcp')}  mediaEncryption: allow\n`,
      );
      expect(await outboundOps(changed)).toEqual(['update outbound-trunk genesys-out']);
      expect((await apply(changed)).outboundTrunkId).toBe(outboundId);
      const trunk = await outboundTrunk(outboundId);
      expect(trunk).toMatchObject({
        address: 'acme2.byoc.mypurecloud.com',
        transport: SIPTransport.SIP_TRANSPORT_TCP,
        numbers: ['+18005550199', '+18005550100'],
        mediaEncryption: SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW,
        authUsername: '',
        authPassword: '',
      });
      expect(trunk?.media?.encryption).toBe(SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW);
    });

    it('apply --dry-run shows the outbound trunk line and never the credentials', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'routing-'));
      const file = join(dir, 'routing.yaml');
      writeFileSync(file, withOutbound(MAIN_ONLY));
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [join(REPO_ROOT, 'dispatch/src/main.ts'), 'apply', '--dry-run'],
        {
          env: {
            ...process.env,
            LIVEKIT_URL: stack.livekit.httpUrl,
            LIVEKIT_API_KEY: stack.livekit.apiKey,
            LIVEKIT_API_SECRET: stack.livekit.apiSecret,
            ROUTING_FILE: file,
            OUTBOUND_TRUNK_USERNAME: AUTH.username,
            OUTBOUND_TRUNK_PASSWORD: AUTH.password,
          },
        },
      );
      expect(stdout).toMatch(
        new RegExp(`^update +outbound-trunk +genesys-out \\(${outboundId}\\)$`, 'm'),
      );
      expect(`${stdout}${stderr}`).not.toContain(AUTH.password);
      expect(await outboundTrunk(outboundId)).toMatchObject({ authUsername: '' });
    });

    it('deletes it when the file drops it, leaving the hand-made outbound trunk', async () => {
      expect(await outboundOps(MAIN_ONLY)).toEqual(['delete outbound-trunk genesys-out']);
      expect((await apply(MAIN_ONLY)).outboundTrunkId).toBeUndefined();
      const ids = (await admin.client.listSipOutboundTrunk()).map((t) => t.sipTrunkId);
      expect(ids).not.toContain(outboundId);
      expect(ids).toContain(foreignOutbound);
      expect(await ops(MAIN_ONLY)).toEqual([
        'keep inbound-trunk genesys-byoc',
        'keep dispatch-rule route:main',
      ]);
    });
  });

  describe('the inbound trunk settings', () => {
    const MAIN_ONLY =
      routingYaml(`  - { name: main, numbers: ["+18005550100", "+18005550102"], persona: triage, humanQueue: billing }
`);
    /** MAIN_ONLY with an explicit number list (one number without a route) and SRTP required. */
    const SECURED = MAIN_ONLY.replace(
      'allowedAddresses: ["198.51.100.0/24"] }',
      'allowedAddresses: ["198.51.100.0/24"], numbers: ["+18005550109", "+18005550102", "+18005550100"], mediaEncryption: require }',
    );
    const AUTH_IN: InboundAuth = { username: 'genesys-byoc', password: 'inbound-password-1' };
    const ROTATED: InboundAuth = { ...AUTH_IN, password: 'inbound-password-2' };
    const REQUIRE = SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE;
    const inboundOps = async (yaml: string, auth?: InboundAuth) =>
      (await ops(yaml, undefined, auth)).filter((op) => op.includes(' inbound-trunk '));
    let trunkId: string;

    it('updates it in place with numbers, media encryption and digest credentials', async () => {
      trunkId = (await apply(MAIN_ONLY)).trunkId;
      expect(await ops(SECURED, undefined, AUTH_IN)).toEqual([
        'update inbound-trunk genesys-byoc',
        'keep dispatch-rule route:main',
      ]);
      expect((await apply(SECURED, undefined, AUTH_IN)).trunkId).toBe(trunkId);
      const trunk = await inboundTrunk(trunkId);
      expect([...(trunk?.numbers ?? [])]).toEqual(['+18005550100', '+18005550102', '+18005550109']);
      expect(trunk?.mediaEncryption).toBe(REQUIRE);
      expect(trunk?.media?.encryption).toBe(REQUIRE);
      expect(trunk?.authUsername).toBe('genesys-byoc');
      expect(trunk?.authPassword).toBe(AUTH_IN.password);
      expect(trunk?.allowedAddresses).toEqual(['198.51.100.0/24']);
      expect(await ops(SECURED, undefined, AUTH_IN)).toEqual([
        'keep inbound-trunk genesys-byoc',
        'keep dispatch-rule route:main',
      ]);
    });

    it('updates it in place when only the inbound password changes', async () => {
      expect(await ops(SECURED, undefined, ROTATED)).toEqual([
        'update inbound-trunk genesys-byoc',
        'keep dispatch-rule route:main',
      ]);
      expect((await apply(SECURED, undefined, ROTATED)).trunkId).toBe(trunkId);
      expect(await inboundTrunk(trunkId)).toMatchObject({
        authUsername: 'genesys-byoc',
        authPassword: ROTATED.password,
      });
      expect(await inboundOps(SECURED, ROTATED)).toEqual(['keep inbound-trunk genesys-byoc']);
    });

    it('apply --dry-run reads INBOUND_TRUNK_* and never prints them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'routing-'));
      const file = join(dir, 'routing.yaml');
      writeFileSync(file, SECURED);
      const run = (password: string) =>
        promisify(execFile)(
          process.execPath,
          [join(REPO_ROOT, 'dispatch/src/main.ts'), 'apply', '--dry-run'],
          {
            env: {
              ...process.env,
              LIVEKIT_URL: stack.livekit.httpUrl,
              LIVEKIT_API_KEY: stack.livekit.apiKey,
              LIVEKIT_API_SECRET: stack.livekit.apiSecret,
              ROUTING_FILE: file,
              INBOUND_TRUNK_USERNAME: ROTATED.username,
              INBOUND_TRUNK_PASSWORD: password,
            },
          },
        );
      const same = await run(ROTATED.password);
      expect(same.stdout).toMatch(
        new RegExp(`^keep +inbound-trunk +genesys-byoc \\(${trunkId}\\)$`, 'm'),
      );
      const changed = await run('inbound-password-3');
      expect(changed.stdout).toMatch(
        new RegExp(`^update +inbound-trunk +genesys-byoc \\(${trunkId}\\)$`, 'm'),
      );
      for (const { stdout, stderr } of [same, changed]) {
        expect(`${stdout}${stderr}`).not.toContain(ROTATED.password);
        expect(`${stdout}${stderr}`).not.toContain('inbound-password-3');
      }
      expect(await inboundTrunk(trunkId)).toMatchObject({ authPassword: ROTATED.password });
    });

    it('creates it with them when it is missing, rebinding the rule', async () => {
      await admin.client.deleteSipTrunk(trunkId);
      expect(await ops(SECURED, undefined, AUTH_IN)).toEqual([
        'create inbound-trunk genesys-byoc',
        'update dispatch-rule route:main',
      ]);
      const result = await apply(SECURED, undefined, AUTH_IN);
      expect(result.trunkId).not.toBe(trunkId);
      trunkId = result.trunkId;
      const trunk = await inboundTrunk(trunkId);
      expect([...(trunk?.numbers ?? [])].sort()).toEqual([
        '+18005550100',
        '+18005550102',
        '+18005550109',
      ]);
      expect(trunk?.mediaEncryption).toBe(REQUIRE);
      expect(trunk?.media?.encryption).toBe(REQUIRE);
      expect(trunk?.authUsername).toBe('genesys-byoc');
      expect(trunk?.authPassword).toBe(AUTH_IN.password);
      const [rule] = await admin.client.listSipDispatchRule({
        dispatchRuleIds: [result.ruleIds['main']!],
      });
      expect(rule?.trunkIds).toEqual([trunkId]);
    });

    it('drops them when the file and the environment do', async () => {
      expect(await inboundOps(MAIN_ONLY)).toEqual(['update inbound-trunk genesys-byoc']);
      expect((await apply(MAIN_ONLY)).trunkId).toBe(trunkId);
      const trunk = await inboundTrunk(trunkId);
      expect([...(trunk?.numbers ?? [])].sort()).toEqual(['+18005550100', '+18005550102']);
      expect(trunk?.mediaEncryption).toBe(SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW);
      expect(trunk?.media?.encryption).toBe(SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW);
      expect(trunk).toMatchObject({ authUsername: '', authPassword: '' });
      expect(await ops(MAIN_ONLY)).toEqual([
        'keep inbound-trunk genesys-byoc',
        'keep dispatch-rule route:main',
      ]);
    });
  });
});
