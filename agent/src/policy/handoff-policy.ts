/**
 * The handoff policy schema lives in contracts/ because the routing file may
 * override it per route; the agent uses it from here.
 */
export {
  handoffPolicySchema,
  parseHandoffPolicy,
  resolveHandoffPolicy,
  type HandoffPolicy,
  type HandoffPolicyInput,
} from '../../../contracts/handoff-policy.ts';
