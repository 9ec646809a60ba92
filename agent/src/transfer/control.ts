/**
 * The one way a caller leaves the AI for a human. DTMF 0, the handoff
 * policy's exits, a failed voice provider and the persona's tools all ask
 * here, so a call is handed off at most once at a time, and this control
 * alone decides what the caller hears around it: the announcement before, the
 * line when a warm transfer falls back to the blind REFER, and the apology
 * when nothing went through. Every attempt is logged, counted and recorded.
 */
import type { HandoffReason } from '../../../contracts/call-outcome.ts';
import { AGENT_METRICS, sipStatusClass } from '../../../contracts/metrics.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { CallContext } from '../../../contracts/call-context.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { MetricsSink } from '../observability/metric-events.ts';
import { CALLER_LINES } from './caller-lines.ts';
import { handoff, type HandoffResult, type ReferClient } from './handoff.ts';
import type { TransferAttempt } from '../../../contracts/transfer-outcome.ts';
import type { ConsultRunner } from './warm/runner.ts';

/** How the control speaks to the caller. Neither function rejects. */
export type CallerVoice = Readonly<{
  /** Says a line through the agent session; resolves once it has played. */
  say: (text: string) => Promise<void>;
  /**
   * Cuts off whatever the session is saying and plays the apology recorded at
   * call start on a track of its own: heard even when the session is what failed.
   */
  apologize: () => Promise<void>;
}>;

/** The call's stage as a handoff moves it (call/state.ts keeps the whole of it). */
export type HandoffStage = Readonly<{
  /** Claims the call for a handoff; false when one is under way or the call is ending. */
  claim: (queue: string, reason: HandoffReason) => boolean;
  /** Genesys (or the human, warm) has the caller. */
  handedOff: (queue: string, reason: HandoffReason) => void;
  /** Nothing went through: the caller stays with the agent. */
  released: () => void;
}>;

export type HandoffRequest = Readonly<{
  queue: string;
  reason: HandoffReason;
  /** One or two sentences for the human agent's screen pop. */
  summary?: string;
  /**
   * What the caller hears first: `connecting` (a line), `apology` (the
   * recorded apology, for a failed voice provider) or `none` (the requester
   * has told them: the persona said it, or the caller pressed 0).
   */
  announce: 'connecting' | 'apology' | 'none';
  /**
   * Who tells the caller that nothing went through: this control
   * (`apologize`) or the requester (`report`: the persona's LLM is told).
   */
  onFailure: 'apologize' | 'report';
}>;

export type HandoffOutcome = HandoffResult | Readonly<{ status: 'busy' }>;

export type TransferControl = Readonly<{
  /** Hands the caller to a queue; `busy` when another handoff holds the call. */
  handOff: (req: HandoffRequest) => Promise<HandoffOutcome>;
  /** The handoff under way, if any: the end of the call waits for it. */
  underWay: () => Promise<HandoffOutcome> | undefined;
}>;

export type TransferControlDeps = Readonly<{
  sip: ReferClient;
  routing: RoutingConfig;
  room: string;
  participantIdentity: string;
  call: CallContext;
  route: string;
  /** For the escalation metric's label. */
  persona: string;
  stage: HandoffStage;
  voice: CallerVoice;
  metrics: MetricsSink;
  log: CallLogger;
  /** Resolves when the caller's leg is gone (Genesys took the call, or the caller hung up). */
  callerGone: Promise<void>;
  /** Resolves true after `ms`, false if the call ended first (the call's task owner). */
  sleep: (ms: number) => Promise<boolean>;
  /** Stores the screen-pop context record; resolves undefined when it could not (never blocks a transfer). */
  storeContext: (
    queue: string,
    reason: HandoffReason,
    summary: string | undefined,
  ) => Promise<string | undefined>;
  /** Warm transfer for queues with `consult` in the routing file; blind REFER otherwise. */
  consult?: ConsultRunner;
  /** Called once a warm transfer has connected caller and human: the agent must leave the room. */
  onBridged?: () => void;
  /** The call record: escalation reason and every attempt. */
  recorder?: Readonly<{
    escalation: (reason: HandoffReason) => void;
    transferAttempt: (attempt: TransferAttempt) => void;
    event: (name: string) => void;
  }>;
}>;

/**
 * @example
 * const transfers = createTransferControl({ sip, routing, room, participantIdentity, call, route, persona, stage, voice, metrics, log, callerGone, sleep, storeContext });
 * await transfers.handOff({ queue: 'general', reason: 'dtmf_zero', announce: 'none', onFailure: 'apologize' });
 */
export function createTransferControl(deps: TransferControlDeps): TransferControl {
  let current: Promise<HandoffOutcome> | undefined;
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

  const announce = (req: HandoffRequest): Promise<void> => {
    if (req.announce === 'connecting') return deps.voice.say(CALLER_LINES.connecting);
    if (req.announce === 'apology') return deps.voice.apologize();
    return Promise.resolve();
  };

  const run = async (req: HandoffRequest): Promise<HandoffResult> => {
    const { queue, reason, summary } = req;
    deps.log.info({ queue, reason, summary }, 'transferring caller to a human');
    deps.metrics.inc(AGENT_METRICS.escalationsTotal, { persona: deps.persona, reason });
    deps.recorder?.escalation(reason);
    deps.recorder?.event('escalated');
    const [contextId] = await Promise.all([
      deps.storeContext(queue, reason, summary),
      announce(req).catch((err: unknown) =>
        deps.log.warn({ error: String(err) }, 'announcement before the transfer failed'),
      ),
    ]);
    const warm: TransferAttempt[] = [];
    if (deps.consult && deps.routing.queues[queue]?.consult) {
      const attempt = await deps.consult(queue, reason, summary, contextId);
      recordAttempt(attempt);
      if (attempt.outcome.status === 'completed') {
        deps.stage.handedOff(queue, reason);
        deps.onBridged?.();
        return { status: 'transferred', attempts: [attempt] };
      }
      // Not reached directly: the queue's blind transfer is the fallback.
      warm.push(attempt);
      await deps.voice.say(CALLER_LINES.warmFallback);
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
    if (result.status === 'transferred') {
      deps.stage.handedOff(queue, reason);
      return result;
    }
    if (result.attempts.at(-1)?.outcome.status === 'unconfirmed') {
      // Genesys may have accepted the REFER: if the caller's leg goes away it did.
      const gone = await Promise.race([
        deps.callerGone.then(() => true),
        deps.sleep(deps.routing.transfer.timeoutSeconds * 1000).then(() => false),
      ]);
      if (gone) {
        deps.stage.handedOff(queue, reason);
        return { status: 'transferred', attempts: result.attempts };
      }
    }
    deps.log.error(
      { queue, result: result.status },
      'transfer did not complete; caller stays with the agent',
    );
    deps.stage.released();
    if (req.onFailure === 'apologize') await deps.voice.say(CALLER_LINES.notConnected);
    return result;
  };

  return Object.freeze({
    handOff: (req) => {
      // Claimed synchronously: a later request is busy even while the announcement plays.
      if (!deps.stage.claim(req.queue, req.reason)) return Promise.resolve({ status: 'busy' });
      const handoffRun = run(req).catch((err: unknown): HandoffResult => {
        deps.log.error({ error: String(err) }, 'transfer failed; caller stays with the agent');
        deps.stage.released();
        return { status: 'not_transferred', attempts: [] };
      });
      current = handoffRun;
      void handoffRun.finally(() => {
        if (current === handoffRun) current = undefined;
      });
      return handoffRun;
    },
    underWay: () => current,
  });
}
