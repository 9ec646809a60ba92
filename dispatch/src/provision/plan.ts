/**
 * What must change in LiveKit for it to match the routing file: one routine
 * compares each kind of owned object (inbound trunk, outbound trunk,
 * dispatch rules) with what is wanted. Only objects stamped with dispatch's
 * ownership metadata are updated or deleted; anything else is left alone.
 * Idempotent: a second run plans only `keep`.
 */
import { readOwnership } from '../../../contracts/ownership.ts';
import type { DesiredState } from './desired.ts';
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

/** An object LiveKit holds: its id, name and metadata (our stamp, when we own it). */
type Existing = Readonly<{ id: string; name: string; metadata: string }>;

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
  const inbound = planOwned(
    'inbound-trunk',
    [desired.trunk],
    trunks.map((t) => ({ id: t.sipTrunkId, name: t.name, metadata: t.metadata })),
  );
  const trunkId =
    inbound[0]?.op === 'keep' || inbound[0]?.op === 'update' ? inbound[0].id : undefined;
  const outbound = planOwned(
    'outbound-trunk',
    desired.outboundTrunk ? [desired.outboundTrunk] : [],
    outboundTrunks.map((t) => ({ id: t.sipTrunkId, name: t.name, metadata: t.metadata })),
  );
  const boundTo = new Map(rules.map((r) => [r.sipDispatchRuleId, r.trunkIds]));
  const ruleActions = planOwned(
    'dispatch-rule',
    desired.rules,
    rules.map((r) => ({ id: r.sipDispatchRuleId, name: r.name, metadata: r.metadata })),
  ).map((action): PlanAction => {
    // A rule bound to a trunk that is about to be replaced must be rewritten too.
    const trunkIds = action.id ? boundTo.get(action.id) : undefined;
    const bound = trunkId !== undefined && trunkIds?.length === 1 && trunkIds[0] === trunkId;
    return action.op === 'keep' && !bound ? { ...action, op: 'update' } : action;
  });
  return [...inbound, ...outbound, ...ruleActions];
}

/**
 * The one routine for owned objects of a kind: each wanted object is kept
 * (same hash), updated or created; every other object we own is deleted.
 */
function planOwned(
  kind: PlanAction['kind'],
  wanted: readonly Readonly<{ key: string; name: string; hash: string }>[],
  existing: readonly Existing[],
): PlanAction[] {
  const owned = existing.filter((e) => readOwnership(e.metadata));
  const kept = new Set<Existing>();
  const plan: PlanAction[] = wanted.map((want) => {
    const have = owned.find((e) => readOwnership(e.metadata)?.key === want.key);
    if (!have) return { op: 'create', kind, key: want.key, name: want.name };
    kept.add(have);
    const op = readOwnership(have.metadata)?.hash === want.hash ? 'keep' : 'update';
    return { op, kind, key: want.key, name: want.name, id: have.id };
  });
  for (const e of owned) {
    if (!kept.has(e))
      plan.push({
        op: 'delete',
        kind,
        key: readOwnership(e.metadata)!.key,
        name: e.name,
        id: e.id,
      });
  }
  return plan;
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
