/**
 * Where a call is in its life. Stages only move forward, except a handoff
 * that went nowhere, which returns the call to the conversation:
 *
 *   admitting → conversing ⇄ handing_off → handed_off → ended
 *                   └──────→ ending (the agent hangs up) ─→ ended
 *
 * Every stage change that dispatch must know about is published (the agent's
 * `gva.call` attribute): an agent that leaves before `handed_off` or `ending`
 * left the caller alone, and dispatch recovers the call.
 */
import type { CallOutcome, HandoffReason } from '../../../contracts/call-outcome.ts';
import type { AgentCallPhase } from '../../../contracts/recovery.ts';
import type { HandoffStage } from '../transfer/control.ts';

export type CallState =
  | { readonly stage: 'admitting' }
  | { readonly stage: 'conversing' }
  | { readonly stage: 'handing_off'; readonly queue: string; readonly reason: HandoffReason }
  | { readonly stage: 'handed_off'; readonly queue: string; readonly reason: HandoffReason }
  | { readonly stage: 'ending' }
  | { readonly stage: 'ended'; readonly outcome: CallOutcome };

export type CallStage = HandoffStage &
  Readonly<{
    current: () => CallState;
    /** The caller has been greeted: the conversation is on. */
    conversing: () => void;
    /** The agent hangs up (a policy exit): false when a handoff holds the call. */
    ending: () => boolean;
    /** The job is over. */
    ended: (outcome: CallOutcome) => void;
  }>;

/**
 * How the call ended, from its last stage: handed off, the session failed,
 * the agent hung up, or else the caller did.
 *
 * @example
 * callOutcome({ stage: 'conversing' }, false); // 'caller_hung_up'
 */
export function callOutcome(state: CallState, sessionFailed: boolean): CallOutcome {
  if (state.stage === 'handed_off') return 'transferred';
  if (sessionFailed) return 'failed';
  if (state.stage === 'ending') return 'agent_ended';
  return 'caller_hung_up';
}

const PHASES: Readonly<Partial<Record<CallState['stage'], AgentCallPhase>>> = Object.freeze({
  conversing: 'conversing',
  handing_off: 'transferring',
  handed_off: 'transferred',
  ending: 'ending',
});

/**
 * @example
 * const stage = createCallStage((phase) => publishPhase(phase));
 * stage.conversing();
 * stage.claim('general', 'dtmf_zero'); // true: stage is handing_off, phase `transferring` published
 */
export function createCallStage(publish: (phase: AgentCallPhase) => void): CallStage {
  let state: CallState = { stage: 'admitting' };
  const move = (next: CallState) => {
    state = next;
    const phase = PHASES[next.stage];
    if (phase) publish(phase);
  };
  return Object.freeze({
    current: () => state,
    conversing: () => {
      if (state.stage === 'admitting') move({ stage: 'conversing' });
    },
    claim: (queue, reason) => {
      if (state.stage !== 'conversing') return false;
      move({ stage: 'handing_off', queue, reason });
      return true;
    },
    handedOff: (queue, reason) => {
      if (state.stage === 'handing_off') move({ stage: 'handed_off', queue, reason });
    },
    released: () => {
      if (state.stage === 'handing_off') move({ stage: 'conversing' });
    },
    ending: () => {
      if (state.stage !== 'conversing') return false;
      move({ stage: 'ending' });
      return true;
    },
    ended: (outcome) => {
      if (state.stage !== 'ended') move({ stage: 'ended', outcome });
    },
  });
}
