/**
 * What a call reacts to while the caller talks with the agent: the handoff
 * policy's exits, DTMF 0, keys said into a keypad entry, a voice provider
 * failing, and the measurements and log lines of each turn. Every listener
 * and timer belongs to the call's tasks; every handoff goes through the
 * call's transfer control.
 */
import { voice, type llm } from '@livekit/agents';
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { AGENT_METRICS } from '../../../contracts/metrics.ts';
import { redactText } from '../../../contracts/redact.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import { watchCallMetrics } from '../observability/call-metrics.ts';
import { metricLabel } from '../observability/metrics-sink.ts';
import { createHandoffMonitor } from '../policy/handoff-monitor.ts';
import type { HandoffPolicy } from '../policy/handoff-policy.ts';
import type { TransferControl } from '../transfer/control.ts';
import type { Admission } from './admit.ts';
import type { CallRecorder } from './call-recorder.ts';
import { watchExits } from './exits.ts';
import type { CallKeypad } from './keypad.ts';
import type { CallPorts, CallSession, ProviderFailure } from './ports.ts';
import type { CallStage } from './state.ts';
import type { CallTasks } from './tasks.ts';

export type Conversation = Readonly<{
  /** The persona agent's filter for finished caller turns (see personas/agent.ts). */
  onCallerTurn: (message: llm.ChatMessage) => 'reply' | 'skip';
  /** Hands the caller to the route's queue after a voice failure (at most once). */
  failOver: (failed: ProviderFailure) => void;
}>;

/**
 * @example
 * const conversation = watchConversation({ ports, admitted, session, transfers, keypad, policy, recorder, stage, tasks, log });
 * createPersonaAgent(persona, runtime, { onCallerTurn: conversation.onCallerTurn });
 */
export function watchConversation(deps: {
  ports: Pick<CallPorts, 'room' | 'metrics' | 'now'>;
  admitted: Pick<Admission, 'meta' | 'caller' | 'persona'>;
  session: CallSession;
  transfers: TransferControl;
  keypad: CallKeypad;
  policy: HandoffPolicy;
  recorder: Pick<CallRecorder, 'turnLatency'>;
  stage: CallStage;
  tasks: CallTasks;
  log: CallLogger;
}): Conversation {
  const { ports, session, transfers, keypad, policy, stage, tasks, log } = deps;
  const { meta, caller, persona } = deps.admitted;
  const humanQueue = meta.humanQueue;

  const exits = watchExits({
    session,
    monitor: createHandoffMonitor(policy),
    transfers,
    tasks,
    humanQueue,
    log,
    conversing: () => stage.current().stage === 'conversing',
    endCall: async () => {
      if (stage.ending()) await ports.room.deleteRoom();
    },
    // A caller typing digits is silent on purpose.
    paused: keypad.active,
    silenceAfterMs: policy.silence.afterSeconds * 1000,
  });

  const failOver = (failed: ProviderFailure) => {
    if (stage.current().stage === 'conversing')
      log.error(
        { failed: failed.piece, provider: failed.provider },
        'voice provider failed; handing the caller to a human',
      );
    void transfers.handOff({
      queue: humanQueue,
      reason: 'provider_failure',
      announce: 'apology',
      onFailure: 'apologize',
    });
  };
  const countError = (piece: string, provider: unknown) =>
    ports.metrics.inc(AGENT_METRICS.providerErrorsTotal, {
      persona: persona.name,
      stage: piece,
      provider: metricLabel(provider),
    });
  tasks.defer(
    session.onProviderUnavailable((failed) => {
      countError(failed.piece, failed.provider);
      if (policy.providerFailure.then === 'transfer') failOver(failed);
      else log.warn({ ...failed }, 'voice provider failed; continuing on its offline stand-in');
    }),
  );
  // A failure with no stand-in left ends the session: hand the caller to a
  // human first, so a broken pipeline never drops a call.
  tasks.on(session, voice.AgentSessionEventTypes.Error, (ev: voice.ErrorEvent) => {
    countError(ev.error.type, ev.error.label);
    if (!ev.error.recoverable)
      failOver({ piece: ev.error.type, provider: String(ev.error.label ?? 'unknown') });
  });

  tasks.on(
    ports.room,
    RoomEvent.DtmfReceived,
    (_code: number, digit: string, from: RemoteParticipant) => {
      // Keys typed into a keypad entry are digits, not a request for a person.
      if (from.identity !== caller.identity || keypad.active() || digit !== '0') return;
      log.info({}, 'caller pressed 0 for a person');
      void transfers.handOff({
        queue: humanQueue,
        reason: 'dtmf_zero',
        announce: 'none',
        onFailure: 'apologize',
      });
    },
  );

  tasks.on(
    session,
    voice.AgentSessionEventTypes.UserInputTranscribed,
    (ev: voice.UserInputTranscribedEvent) => {
      // Callers say numbers (accounts, PINs, phone numbers): logs get them masked.
      if (ev.isFinal) log.info({ transcript: ev.transcript }, 'caller said');
    },
  );
  tasks.defer(
    watchCallMetrics(
      session,
      ports.metrics,
      persona.name,
      { stt: metricLabel(session.describe.stt), turn: metricLabel(session.describe.turn) },
      ports.now ?? Date.now,
      (seconds) => deps.recorder.turnLatency(seconds * 1000),
    ),
  );

  return Object.freeze({
    onCallerTurn: (message) => {
      const text = message.textContent ?? '';
      // Keys said into a keypad entry go to the entry, masked in the history, with no reply.
      if (keypad.hear(text)) {
        message.content = [redactText(text)];
        return 'skip';
      }
      exits.callerTurn(text, message.transcriptConfidence);
      return 'reply';
    },
    failOver,
  });
}
