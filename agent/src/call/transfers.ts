/**
 * The one place a call's transfer state changes. DTMF 0, persona tools and
 * exit conditions all ask here, so a call is transferred at most once at a
 * time and every attempt is logged with its outcome.
 */
import type { SipClient } from 'livekit-server-sdk';
import { AGENT_METRICS, sipStatusClass } from '../../../contracts/metrics.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { MetricsSink } from '../observability/metric-events.ts';
import { handoff, type HandoffResult } from '../transfer/handoff.ts';
import type { TransferReason } from '../transfer/outcome.ts';
import type { CallContext } from './context.ts';
import type { CallState } from './state.ts';

export type CallLogger = Readonly<{
  info: (fields: object, msg: string) => void;
  warn: (fields: object, msg: string) => void;
  error: (fields: object, msg: string) => void;
}>;

export type TransferControl = Readonly<{
  state: () => CallState;
  /**
   * Sends the caller to a queue; resolves with the handoff result, or `busy`
   * if one is under way. The call is claimed at once (synchronously), so a
   * later request is `busy` even while `announce` (e.g. an apology) plays.
   */
  transfer: (
    queue: string,
    reason: TransferReason,
    summary?: string,
    announce?: () => Promise<void>,
  ) => Promise<HandoffResult | { status: 'busy' }>;
}>;

export function createTransferControl(deps: {
  sip: SipClient;
  routing: RoutingConfig;
  room: string;
  participantIdentity: string;
  call: CallContext;
  route: string;
  /** For the escalation metric's label. */
  persona: string;
  metrics: MetricsSink;
  log: CallLogger;
  /** Resolves when the caller's leg is gone (Genesys took the call, or the caller hung up). */
  callerGone: Promise<void>;
  /** Stores the screen-pop context record; resolves undefined when it could not (never blocks a transfer). */
  storeContext: (
    queue: string,
    reason: TransferReason,
    summary: string | undefined,
  ) => Promise<string | undefined>;
}): TransferControl {
  let state: CallState = { phase: 'conversing' };
  return {
    state: () => state,
    transfer: async (queue, reason, summary, announce) => {
      if (state.phase !== 'conversing') return { status: 'busy' };
      state = { phase: 'transferring', queue, reason };
      deps.log.info({ queue, reason, summary }, 'transferring caller to a human');
      deps.metrics.inc(AGENT_METRICS.escalationsTotal, { persona: deps.persona, reason });
      const [contextId] = await Promise.all([
        deps.storeContext(queue, reason, summary),
        announce?.().catch((err: unknown) =>
          deps.log.warn({ error: String(err) }, 'announcement before the transfer failed'),
        ),
      ]);
      const result = await handoff(
        deps.sip,
        deps.routing,
        {
          room: deps.room,
          participantIdentity: deps.participantIdentity,
          queue,
          reason,
          call: deps.call,
          route: deps.route,
          ...(contextId ? { contextId } : {}),
        },
        (attempt) => {
          deps.log.info({ attempt }, 'transfer attempt finished');
          const outcome = attempt.outcome;
          deps.metrics.inc(AGENT_METRICS.transfersTotal, {
            queue,
            status: outcome.status,
            sip_status: sipStatusClass('sipStatus' in outcome ? outcome.sipStatus : undefined),
          });
        },
      );
      const last = result.attempts.at(-1)?.outcome.status;
      if (result.status === 'not_transferred' && last === 'unconfirmed') {
        // Genesys may have accepted the REFER: if the caller's leg goes away it did.
        const waitMs = deps.routing.transfer.timeoutSeconds * 1000;
        const gone = await Promise.race([
          deps.callerGone.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref()),
        ]);
        if (gone) {
          state = { phase: 'transferred', queue, reason };
          return { status: 'transferred', attempts: result.attempts };
        }
      }
      if (result.status === 'transferred') {
        state = { phase: 'transferred', queue, reason };
      } else {
        deps.log.error(
          { queue, result: result.status },
          'transfer did not complete; caller stays with the agent',
        );
        state = { phase: 'conversing' };
      }
      return result;
    },
  };
}
