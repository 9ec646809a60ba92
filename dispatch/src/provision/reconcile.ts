/**
 * Makes LiveKit's SIP trunks (inbound and outbound) and dispatch rules match
 * the routing file, in three parts: plan.ts compares, builders.ts builds
 * LiveKit's objects, apply.ts carries the plan out.
 */
export { applyPlan, type ApplyResult } from './apply.ts';
export { formatPlan, planReconcile, type Plan, type PlanAction } from './plan.ts';
