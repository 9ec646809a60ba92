/**
 * Makes LiveKit's SIP trunks (inbound and outbound) and dispatch rules match
 * the routing file. Only objects stamped with our ownership metadata are
 * updated or deleted; anything else in LiveKit is left alone. Idempotent: a
 * second run plans only `keep`.
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
import type { MediaEncryption } from '../../../contracts/routing.ts';
import {
  ownershipMetadata,
  readOwnership,
  type DesiredOutboundTrunk,
  type DesiredRule,
  type DesiredState,
  type DesiredTrunk,
} from './desired.ts';
import type { SipAdmin } from './sip-api.ts';

export type PlanAction = Readonly<{
  op: 'create' | 'update' | 'delete' | 'keep';
  kind: 'inbound-trunk' | 'outbound-trunk' | 'dispatch-rule';
  key: string;
  name: string;
  /** LiveKit id of the existing object (absent for create). */
  id?: string;
}>;

export type Plan = readonly PlanAction[];

export type ApplyResult = Readonly<{
  trunkId: string;
  /** Undefined when the routing file has no outbound trunk. */
  outboundTrunkId: string | undefined;
  ruleIds: Readonly<Record<string, string>>;
}>;

/**
 * Compares the desired state with what LiveKit holds now: inbound trunk
 * actions first, then the outbound trunk's, then the dispatch rules'.
 *
 * @example
 * const plan = await planReconcile(admin, desiredState(routing));
 * formatPlan(plan); // "keep   inbound-trunk  genesys-byoc (ST_…)\n…"
 */
export async function planReconcile(admin: SipAdmin, desired: DesiredState): Promise<Plan> {
  const trunks = await admin.client.listSipInboundTrunk();
  const outboundTrunks = await admin.client.listSipOutboundTrunk();
  const rules = await admin.client.listSipDispatchRule();
  const plan: PlanAction[] = [];

  const ownedTrunks = trunks.filter((t) => readOwnership(t.metadata));
  const trunk = ownedTrunks.find((t) => readOwnership(t.metadata)?.key === desired.trunk.key);
  plan.push(
    diff(
      'inbound-trunk',
      desired.trunk,
      trunk && { id: trunk.sipTrunkId, metadata: trunk.metadata },
    ),
  );
  for (const t of ownedTrunks) {
    if (t !== trunk)
      plan.push({
        op: 'delete',
        kind: 'inbound-trunk',
        key: readOwnership(t.metadata)!.key,
        name: t.name,
        id: t.sipTrunkId,
      });
  }

  plan.push(...planOutboundTrunk(desired.outboundTrunk, outboundTrunks));

  const ownedRules = rules.filter((r) => readOwnership(r.metadata));
  const wanted = new Set<string>(desired.rules.map((r) => r.key));
  for (const want of desired.rules) {
    const have = ownedRules.find((r) => readOwnership(r.metadata)?.key === want.key);
    // A rule bound to a trunk that is about to be replaced must be rewritten too.
    const boundToTrunk =
      have && trunk && have.trunkIds.length === 1 && have.trunkIds[0] === trunk.sipTrunkId;
    const action = diff(
      'dispatch-rule',
      want,
      have && { id: have.sipDispatchRuleId, metadata: have.metadata },
    );
    plan.push(action.op === 'keep' && !boundToTrunk ? { ...action, op: 'update' } : action);
  }
  for (const r of ownedRules) {
    const key = readOwnership(r.metadata)!.key;
    if (!wanted.has(key))
      plan.push({
        op: 'delete',
        kind: 'dispatch-rule',
        key,
        name: r.name,
        id: r.sipDispatchRuleId,
      });
  }
  return plan;
}

/** Create, update or keep the wanted outbound trunk; delete every other one we own. */
function planOutboundTrunk(
  want: DesiredOutboundTrunk | undefined,
  existing: readonly SIPOutboundTrunkInfo[],
): PlanAction[] {
  const owned = existing.filter((t) => readOwnership(t.metadata));
  const have = want && owned.find((t) => readOwnership(t.metadata)?.key === want.key);
  const plan: PlanAction[] = [];
  if (want)
    plan.push(
      diff('outbound-trunk', want, have && { id: have.sipTrunkId, metadata: have.metadata }),
    );
  for (const t of owned) {
    if (t !== have)
      plan.push({
        op: 'delete',
        kind: 'outbound-trunk',
        key: readOwnership(t.metadata)!.key,
        name: t.name,
        id: t.sipTrunkId,
      });
  }
  return plan;
}

/**
 * Carries out a plan from {@link planReconcile}. Rules are deleted before
 * trunks.
 *
 * @example
 * const desired = desiredState(routing);
 * const { trunkId, outboundTrunkId, ruleIds } = await applyPlan(admin, desired, await planReconcile(admin, desired));
 */
export async function applyPlan(
  admin: SipAdmin,
  desired: DesiredState,
  plan: Plan,
): Promise<ApplyResult> {
  let trunkId = '';
  const trunkAction = plan.find((a) => a.kind === 'inbound-trunk' && a.key === desired.trunk.key);
  if (trunkAction?.op === 'create') {
    const t = desired.trunk;
    const created = await admin.client.createSipInboundTrunk(t.name, [...t.numbers], {
      allowedAddresses: [...t.allowedAddresses],
      headersToAttributes: { ...t.headersToAttributes },
      includeHeaders: SIPHeaderOptions.SIP_X_HEADERS,
      ...mediaFields(t.mediaEncryption),
      // The SDK sends these only when set: no credentials means none on the trunk.
      ...(t.auth && { authUsername: t.auth.username, authPassword: t.auth.password }),
      metadata: ownershipMetadata(t.key, t.hash),
    });
    trunkId = created.sipTrunkId;
  } else if (trunkAction?.op === 'update' && trunkAction.id) {
    await admin.client.updateSipInboundTrunk(
      trunkAction.id,
      trunkInfo(desired.trunk, trunkAction.id),
    );
    trunkId = trunkAction.id;
  } else if (trunkAction?.id) {
    trunkId = trunkAction.id;
  }

  const outboundTrunkId = desired.outboundTrunk
    ? await applyOutboundTrunk(admin, desired.outboundTrunk, plan)
    : undefined;

  const ruleIds: Record<string, string> = {};
  for (const want of desired.rules) {
    const action = plan.find((a) => a.kind === 'dispatch-rule' && a.key === want.key);
    if (!action) continue;
    if (action.op === 'create') {
      ruleIds[want.route] = (
        await admin.createDispatchRule(ruleInfo(want, trunkId))
      ).sipDispatchRuleId;
    } else if (action.op === 'update' && action.id) {
      await admin.client.updateSipDispatchRule(action.id, ruleInfo(want, trunkId, action.id));
      ruleIds[want.route] = action.id;
    } else if (action.id) {
      ruleIds[want.route] = action.id;
    }
  }

  for (const a of plan.filter((p) => p.op === 'delete' && p.kind === 'dispatch-rule')) {
    await admin.client.deleteSipDispatchRule(a.id!);
  }
  for (const a of plan.filter(
    (p) => p.op === 'delete' && (p.kind === 'inbound-trunk' || p.kind === 'outbound-trunk'),
  )) {
    await admin.client.deleteSipTrunk(a.id!);
  }
  return { trunkId, outboundTrunkId, ruleIds };
}

/** Creates or updates the outbound trunk as planned; its LiveKit id. */
async function applyOutboundTrunk(
  admin: SipAdmin,
  t: DesiredOutboundTrunk,
  plan: Plan,
): Promise<string | undefined> {
  const action = plan.find((a) => a.kind === 'outbound-trunk' && a.key === t.key);
  if (action?.op === 'create') {
    const created = await admin.client.createSipOutboundTrunk(t.name, t.address, [...t.numbers], {
      transport: SIP_TRANSPORTS[t.transport],
      ...mediaFields(t.mediaEncryption),
      // The SDK sends these only when set: no credentials means none on the trunk.
      ...(t.auth && { authUsername: t.auth.username, authPassword: t.auth.password }),
      metadata: ownershipMetadata(t.key, t.hash),
    });
    return created.sipTrunkId;
  }
  if (action?.op === 'update' && action.id) {
    // A replace, not a patch: credentials removed from the environment are removed here too.
    await admin.client.updateSipOutboundTrunk(action.id, outboundTrunkInfo(t, action.id));
  }
  return action?.id;
}

/**
 * One line per action, for `dispatch apply --dry-run` and start-up logs.
 * Names and ids only: never a credential.
 *
 * @example
 * formatPlan([{ op: 'create', kind: 'outbound-trunk', key: 'outbound-trunk', name: 'genesys-out' }]);
 * // "create outbound-trunk genesys-out"
 */
export function formatPlan(plan: Plan): string {
  return plan
    .map((a) => `${a.op.padEnd(6)} ${a.kind.padEnd(14)} ${a.name}${a.id ? ` (${a.id})` : ''}`)
    .join('\n');
}

const SIP_TRANSPORTS: Readonly<Record<DesiredOutboundTrunk['transport'], SIPTransport>> = {
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
function mediaFields(e: MediaEncryption): {
  mediaEncryption: SIPMediaEncryption;
  media: SIPMediaConfig;
} {
  const encryption = MEDIA_ENCRYPTIONS[e];
  return { mediaEncryption: encryption, media: new SIPMediaConfig({ encryption }) };
}

function diff(
  kind: PlanAction['kind'],
  want: DesiredTrunk | DesiredOutboundTrunk | DesiredRule,
  have: { id: string; metadata: string } | undefined,
): PlanAction {
  if (!have) return { op: 'create', kind, key: want.key, name: want.name };
  const op = readOwnership(have.metadata)?.hash === want.hash ? 'keep' : 'update';
  return { op, kind, key: want.key, name: want.name, id: have.id };
}

function trunkInfo(t: DesiredTrunk, id: string): SIPInboundTrunkInfo {
  return new SIPInboundTrunkInfo({
    sipTrunkId: id,
    name: t.name,
    numbers: [...t.numbers],
    allowedAddresses: [...t.allowedAddresses],
    headersToAttributes: { ...t.headersToAttributes },
    includeHeaders: SIPHeaderOptions.SIP_X_HEADERS,
    ...mediaFields(t.mediaEncryption),
    // A replace, not a patch: credentials removed from the environment are removed here too.
    authUsername: t.auth?.username ?? '',
    authPassword: t.auth?.password ?? '',
    metadata: ownershipMetadata(t.key, t.hash),
  });
}

function outboundTrunkInfo(t: DesiredOutboundTrunk, id: string): SIPOutboundTrunkInfo {
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

function ruleInfo(r: DesiredRule, trunkId: string, id = ''): SIPDispatchRuleInfo {
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
