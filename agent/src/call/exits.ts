/**
 * Enforces the persona's handoff policy on a live call, outside the LLM:
 * final transcripts, the caller going silent ("away") and the session clock
 * feed the monitor; its decisions are spoken, transferred with their reason
 * code, or end the call politely.
 */
import { voice } from '@livekit/agents';
import type { Decision, HandoffMonitor } from '../policy/handoff-monitor.ts';
import type { CallLogger, TransferControl } from './transfers.ts';

export type ExitWatch = Readonly<{ stop: () => void }>;

export function watchExits(deps: {
  session: voice.AgentSession;
  monitor: HandoffMonitor;
  transfers: TransferControl;
  humanQueue: string;
  log: CallLogger;
  /** Hangs the call up (after the goodbye has played). */
  endCall: () => Promise<void>;
  clockMs?: number;
  /**
   * How long the persona gets to act on a request for a person itself (it may
   * route to a better queue than the route's human queue) before the policy
   * transfers anyway.
   */
  callerRequestGraceMs?: number;
}): ExitWatch {
  const { session, monitor, log } = deps;
  let stopped = false;
  const act = (decision: Decision) => {
    switch (decision.action) {
      case 'none':
        return;
      case 'say':
        session.say(decision.text);
        return;
      case 'handoff':
        log.info({ reason: decision.reason, detail: decision.detail }, 'handoff policy triggered');
        void (async () => {
          if (decision.reason === 'caller_request') {
            await new Promise((r) => setTimeout(r, deps.callerRequestGraceMs ?? 6000));
            // The persona transferred, or the call ended meanwhile.
            if (stopped || deps.transfers.state().phase !== 'conversing') return;
            log.info(
              { reason: decision.reason },
              'persona did not act on the request for a person; transferring',
            );
          }
          await session
            .say('Let me connect you with a colleague.', { allowInterruptions: false })
            .waitForPlayout();
          await deps.transfers.transfer(deps.humanQueue, decision.reason);
        })();
        return;
      case 'end':
        log.info({}, 'handoff policy ends the call');
        void (async () => {
          await session.say(decision.say, { allowInterruptions: false }).waitForPlayout();
          await deps.endCall();
        })();
        return;
    }
  };

  const onTranscript = (ev: voice.UserInputTranscribedEvent) => {
    if (ev.isFinal) act(monitor.callerTurn(ev.transcript));
  };
  const onUserState = (ev: voice.UserStateChangedEvent) => {
    if (ev.newState === 'away') act(monitor.silence());
  };
  session.on(voice.AgentSessionEventTypes.UserInputTranscribed, onTranscript);
  session.on(voice.AgentSessionEventTypes.UserStateChanged, onUserState);
  const started = Date.now();
  const timer = setInterval(
    () => act(monitor.elapsed(Math.floor((Date.now() - started) / 1000))),
    deps.clockMs ?? 1000,
  );
  timer.unref();

  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      session.off(voice.AgentSessionEventTypes.UserInputTranscribed, onTranscript);
      session.off(voice.AgentSessionEventTypes.UserStateChanged, onUserState);
    },
  };
}
