/**
 * One call's life, top to bottom: admit the caller, converse, hand off when a
 * human is needed, end. One job is one call; everything the call starts
 * (listeners, timers, tasks) belongs to its {@link CallTasks} and stops at
 * the end. The end runs in one order: outcome decided, record stored, tasks
 * stopped, trace ended, job shut down.
 */
import type { CallOutcome } from '../../../contracts/call-outcome.ts';
import { encodeDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { AGENT_METRICS } from '../../../contracts/metrics.ts';
import { AGENT_ATTRIBUTES } from '../../../contracts/recovery.ts';
import { createPersonaAgent } from '../personas/agent.ts';
import { handoffPolicies } from '../personas/registry.ts';
import { AdmissionError, admitCall, logAdmission, NoCallerError } from './admit.ts';
import { watchAnswer } from './answered.ts';
import { createCallRecorder } from './call-recorder.ts';
import { watchConversation } from './converse.ts';
import { greetingFor } from './greeting.ts';
import { createCallTransfers } from './handoff.ts';
import { createCallKeypad } from './keypad.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { CallPorts } from './ports.ts';
import { storeCallRecord } from './record.ts';
import { rescueCall } from './rescue.ts';
import { sessionEnd } from './session-end.ts';
import { createCallRuntime } from './runtime.ts';
import { callOutcome, createCallStage } from './state.ts';
import { CallTasks } from './tasks.ts';
import { dispatchHasCall } from './yield-to-dispatch.ts';

/**
 * Runs the call to its end and resolves with its outcome (undefined when it
 * never started); never rejects.
 *
 * @example
 * await runCall(livekitCallPorts(ctx, config, vad)); // see call/answer.ts
 */
export async function runCall(ports: CallPorts): Promise<CallOutcome | undefined> {
  let log: CallLogger = ports.jobLog;
  const tasks = new CallTasks((fields, msg) => log.warn(fields, msg));
  let route: string | undefined;
  let greeted = false;
  try {
    // ── Admit ──────────────────────────────────────────────────────────────
    await ports.room.connect();
    // A caller dispatch is already handing to the queue is not this agent's; dispatch records it.
    if (await dispatchHasCall(ports.room, tasks.signal)) {
      log.warn({}, 'dispatch is handing the caller to the queue; this agent leaves the call');
      // A decided phase: dispatch's recovery sends no replacement after this agent.
      await ports.room
        .publishAttributes({ [AGENT_ATTRIBUTES.phase]: 'ending' })
        .catch((err: unknown) => log.warn({ error: String(err) }, 'call phase not published'));
      await tasks.dispose();
      ports.shutdown('caller handed on by dispatch');
      return undefined;
    }
    const admitted = await admitCall(ports.job, ports.room, ports.routing, tasks);
    const { meta, call, caller, persona, ids } = admitted;
    route = meta.route;
    log = ports.logger(ids);
    const answer = watchAnswer(ports.room, caller, tasks);
    // Dispatch reads the phase when this agent leaves: anything but a decision means a crash.
    const stage = createCallStage((phase) => {
      ports.room
        .publishAttributes({
          [AGENT_ATTRIBUTES.phase]: phase,
          [AGENT_ATTRIBUTES.route]: meta.route,
          [AGENT_ATTRIBUTES.metadata]: encodeDispatchMetadata(meta),
        })
        .catch((err: unknown) => log.warn({ error: String(err) }, 'call phase not published'));
    });
    ports.metrics.inc(AGENT_METRICS.callsTotal, { persona: persona.name, route: meta.route });
    const trace = ports.startTrace(ids);
    logAdmission(log, admitted);

    // ── Converse ───────────────────────────────────────────────────────────
    // Merged once per routing file, checked at worker start (routingProblems).
    const policy = handoffPolicies(ports.routing)(meta.route, persona.name);
    const recorder = createCallRecorder(ids, {
      conversationIdProblem: call.conversationIdProblem,
    });
    const session = ports.openSession(admitted, policy);
    // ── Hand off: the one way out to a human, for every reason ─────────────
    const transfers = createCallTransfers({
      ports,
      admitted,
      session,
      stage,
      recorder,
      tasks,
      log,
    });
    const keypad = createCallKeypad({
      room: ports.room,
      callerIdentity: caller.identity,
      say: (text) => {
        try {
          session.say(text);
        } catch {
          // A closing session prompts no more (a throw here would end the job unrecorded).
        }
      },
      log,
    });
    const runtime = createCallRuntime({ ports, admitted, transfers, keypad: keypad.collect, log });
    const conversation = watchConversation({
      ports,
      admitted,
      session,
      transfers,
      keypad,
      policy,
      recorder,
      stage,
      tasks,
      log,
    });
    const closed = sessionEnd({
      session,
      room: ports.room,
      callerIdentity: caller.identity,
      tasks,
      log,
    });
    const agent = createPersonaAgent(persona, runtime, {
      onCallerTurn: conversation.onCallerTurn,
    });
    // The session's spans (turns, LLM, TTS) become children of the call span.
    await trace.within(() => session.start(agent, caller.identity));
    log.info({ ...session.describe }, 'voice pipeline started');
    recorder.event(meta.recovery ? 'recovered' : 'greeted');
    stage.conversing();
    if (meta.recovery)
      log.warn({ attempt: meta.recovery.attempt }, 'taking over a call whose agent failed');
    session.greet(greetingFor(persona, meta, call));
    // The caller hears the greeting while the LLM connection opens.
    session.prewarm();
    greeted = true;
    ports.conversing?.();

    // ── End ────────────────────────────────────────────────────────────────
    const ev = await closed;
    if (answer.refused()) {
      // The caller heard 486, not this agent: dispatch records the call as refused.
      stage.ended('caller_hung_up');
      await tasks.dispose();
      await trace.end('refused');
      log.warn(
        {},
        'livekit-sip refused the caller before this agent was heard; no record of its own',
      );
      ports.shutdown('caller refused unanswered');
      return undefined;
    }
    // A pipeline that failed outright still hands the caller to a person.
    if (ev.error) conversation.failOver({ piece: 'session', provider: 'pipeline' });
    await transfers.underWay();
    const last = stage.current();
    const outcome = callOutcome(last, Boolean(ev.error));
    stage.ended(outcome);
    ports.metrics.inc(AGENT_METRICS.callOutcomesTotal, { persona: persona.name, outcome });
    await storeCallRecord(ports.spool, recorder.finish(outcome), log);
    await tasks.dispose();
    await trace.end(outcome);
    log.info({ reason: ev.reason, finalState: last.stage, outcome }, 'session closed; ending job');
    ports.shutdown('session closed');
    return outcome;
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    // A caller who hung up while it rang: no call, no record, nobody to hand on.
    if (err instanceof NoCallerError) log.info({ problem }, 'no caller to answer; ending the job');
    // Failed before the conversation began (or while setting it up): the caller is rescued.
    else if (greeted) log.error({ problem }, 'call failed while ending');
    else
      await rescueCall(ports, {
        problem,
        route: err instanceof AdmissionError ? err.route : route,
        caller: err instanceof AdmissionError ? err.caller : undefined,
      });
    await tasks.dispose();
    ports.shutdown('call could not start');
    return undefined;
  }
}
