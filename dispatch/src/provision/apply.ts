/**
 * Carries out a reconcile plan (plan.ts) on LiveKit: creates and updates the
 * owned trunks, deletes the rules the file no longer has, creates and updates
 * its rules, then deletes the trunks it no longer has.
 */
import { SIPHeaderOptions } from '@livekit/protocol';
import { ownershipMetadata } from '../../../contracts/ownership.ts';
import { mediaFields, outboundTrunkInfo, ruleInfo, SIP_TRANSPORTS, trunkInfo } from './builders.ts';
import type { DesiredOutboundTrunk, DesiredState } from './desired.ts';
import type { Plan } from './plan.ts';
import type { SipAdmin } from './sip-api.ts';

export type ApplyResult = Readonly<{
  trunkId: string;
  /** Undefined when the routing file has no outbound trunk. */
  outboundTrunkId: string | undefined;
  ruleIds: Readonly<Record<string, string>>;
}>;

/**
 * Carries out a plan from {@link planReconcile}. Stale rules go before the
 * rules are written, because LiveKit holds one rule per trunk and number: a
 * renamed route, or a rule left by an earlier deployment, would otherwise
 * block the rule that takes its number. Trunks go last (rules are bound to them).
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
      ringingTimeout: t.ringTimeoutSeconds,
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

  for (const a of plan.filter((p) => p.op === 'delete' && p.kind === 'dispatch-rule')) {
    await admin.client.deleteSipDispatchRule(a.id!);
  }
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
