/**
 * Dispatch's reconciler against a real livekit-server: it creates the trunks
 * (inbound, and outbound when the file has one) and one dispatch rule per
 * route, is a no-op the second time, updates in place when the routing file
 * or the outbound credentials change, deletes what a file no longer has, and
 * never touches SIP objects someone else created.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SIPTransport } from '@livekit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDispatchMetadata } from '../contracts/dispatch-metadata.ts';
import { parseRouting } from '../contracts/routing.ts';
import {
  desiredState,
  readOwnership,
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

  const desiredFor = (yaml: string, outboundAuth?: OutboundAuth) =>
    desiredState(parseRouting(yaml, 'test.yaml'), {
      outboundAuth,
      hashKey: stack.livekit.apiSecret,
    });
  const ops = async (yaml: string, outboundAuth?: OutboundAuth) =>
    (await planReconcile(admin, desiredFor(yaml, outboundAuth))).map(
      (a) => `${a.op} ${a.kind} ${a.name}`,
    );
  const apply = async (yaml: string, outboundAuth?: OutboundAuth) => {
    const desired = desiredFor(yaml, outboundAuth);
    return applyPlan(admin, desired, await planReconcile(admin, desired));
  };
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
        OUTBOUND.replace('acme.byoc', 'acme2.byoc').replace('tls', 'tcp'),
      );
      expect(await outboundOps(changed)).toEqual(['update outbound-trunk genesys-out']);
      expect((await apply(changed)).outboundTrunkId).toBe(outboundId);
      expect(await outboundTrunk(outboundId)).toMatchObject({
        address: 'acme2.byoc.mypurecloud.com',
        transport: SIPTransport.SIP_TRANSPORT_TCP,
        numbers: ['+18005550199', '+18005550100'],
        authUsername: '',
        authPassword: '',
      });
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
});
