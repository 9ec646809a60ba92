/**
 * The one place a call's transfer state changes. DTMF 0, persona tools and
 * exit conditions all ask here, so a call is transferred at most once at a
 * time and every attempt is logged with its outcome.
 */
import type { SipClient } from 'livekit-server-sdk';
import { AGENT_METRICS, sipStatusClass } from '../../../contracts/metrics.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { MetricsSink } from '../observability/metric-events.ts';
import { handoff, type HandoffResult } from '../transfer/handoff.ts';
import type { TransferAttempt } from '../transfer/outcome.ts';
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import type { CallRecorder } from './call-recorder.ts';
import type { ConsultRunner } from './warm-transfer.ts';
import type { CallContext } from '../../../contracts/call-context.ts';
import type { CallState } from './state.ts';

export type TransferControl = Readonly<{
  state: () => CallState;
  /**
   * Sends the caller to a queue; resolves with the handoff result, or `busy`
   * if one is under way. The call is claimed at once (synchronously), so a
   * later request is `busy` even while `announce` (e.g. an apology) plays.
   */
  transfer: (
    queue: string,
    reason: HandoffReason,
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
    reason: HandoffReason,
    summary: string | undefined,
  ) => Promise<string | undefined>;
  /** Warm transfer for queues with `consult` in the routing file; blind REFER otherwise. */
  consult?: ConsultRunner;
  /** Tells the caller something and resolves once it has played. */
  tellCaller?: (text: string) => Promise<void>;
  /** Called once a warm transfer has connected caller and human: the agent must leave the room. */
  onBridged?: () => void;
  /** Told every phase change (the agent publishes it for dispatch's crash recovery). */
  onPhase?: (phase: CallState['phase']) => void;
  /** The call record: escalation reason and every attempt. */
  recorder?: Pick<CallRecorder, 'escalation' | 'transferAttempt' | 'event'>;
}): TransferControl {
  const recordAttempt = (attempt: TransferAttempt) => {
    deps.log.info({ attempt }, 'transfer attempt finished');
    deps.recorder?.transferAttempt(attempt);
    const outcome = attempt.outcome;
    deps.metrics.inc(AGENT_METRICS.transfersTotal, {
      queue: attempt.queue,
      status: outcome.status,
      sip_status: sipStatusClass('sipStatus' in outcome ? outcome.sipStatus : undefined),
    });
  };
  let state: CallState = { phase: 'conversing' };
  const setState = (next: CallState) => {
    state = next;
    deps.onPhase?.(next.phase);
  };
  return {
    state: () => state,
    transfer: async (queue, reason, summary, announce) => {
      if (state.phase !== 'conversing') return { status: 'busy' };
      setState({ phase: 'transferring', queue, reason });
      deps.log.info({ queue, reason, summary }, 'transferring caller to a human');
      deps.metrics.inc(AGENT_METRICS.escalationsTotal, { persona: deps.persona, reason });
      deps.recorder?.escalation(reason);
      deps.recorder?.event('escalated');
      const [contextId] = await Promise.all([
        deps.storeContext(queue, reason, summary),
        announce?.().catch((err: unknown) =>
          deps.log.warn({ error: String(err) }, 'announcement before the transfer failed'),
        ),
      ]);
      const warm: TransferAttempt[] = [];
      if (deps.consult && deps.routing.queues[queue]?.consult) {
        const attempt = await deps.consult(queue, reason, summary, contextId);
        recordAttempt(attempt);
        if (attempt.outcome.status === 'completed') {
          setState({ phase: 'transferred', queue, reason });
          deps.onBridged?.();
          return { status: 'transferred', attempts: [attempt] };
        }
        // Not reached directly: the queue's blind transfer is the fallback.
        warm.push(attempt);
        await deps.tellCaller?.(
          'I could not reach a colleague directly, so I am putting you through to the team now.',
        );
      }
      const blind = await handoff(
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
        recordAttempt,
      );
      const result: HandoffResult =
        blind.status === 'unknown_queue'
          ? blind
          : { ...blind, attempts: [...warm, ...blind.attempts] };
      const last = result.attempts.at(-1)?.outcome.status;
      if (result.status === 'not_transferred' && last === 'unconfirmed') {
        // Genesys may have accepted the REFER: if the caller's leg goes away it did.
        const waitMs = deps.routing.transfer.timeoutSeconds * 1000;
        const gone = await Promise.race([
          deps.callerGone.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref()),
        ]);
        if (gone) {
          setState({ phase: 'transferred', queue, reason });
          return { status: 'transferred', attempts: result.attempts };
        }
      }
      if (result.status === 'transferred') {
        setState({ phase: 'transferred', queue, reason });
      } else {
        deps.log.error(
          { queue, result: result.status },
          'transfer did not complete; caller stays with the agent',
        );
        setState({ phase: 'conversing' });
      }
      return result;
    },
  };
}
