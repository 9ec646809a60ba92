/**
 * Enforces the persona's handoff policy on a live call, outside the LLM:
 * final transcripts, the caller going silent ("away") and the session clock
 * feed the monitor; its decisions are spoken, transferred with their reason
 * code, or end the call politely.
 */
import { voice } from '@livekit/agents';
import type { Decision, HandoffMonitor } from '../policy/handoff-monitor.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { TransferControl } from './transfers.ts';

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
  /** While true, caller silence is expected (e.g. they are typing digits) and does not count. */
  paused?: () => boolean;
  /** The policy's silent period (`silence.afterSeconds`), in ms; the session's `userAwayTimeout`. */
  silenceAfterMs: number;
}): ExitWatch {
  const { session, monitor, log } = deps;
  let stopped = false;
  let nextSilence: NodeJS.Timeout | undefined;
  const act = (decision: Decision): voice.SpeechHandle | undefined => {
    switch (decision.action) {
      case 'none':
        return undefined;
      case 'say':
        return session.say(decision.text);
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
        return undefined;
      case 'end':
        log.info({}, 'handoff policy ends the call');
        void (async () => {
          await session.say(decision.say, { allowInterruptions: false }).waitForPlayout();
          await deps.endCall();
        })();
        return undefined;
    }
  };

  // The session reports "away" once, then not again until the caller speaks:
  // after a silence prompt has played, the next silent period is timed here.
  const silentPeriod = () => {
    nextSilence = undefined;
    if (stopped || deps.paused?.()) return;
    const prompt = act(monitor.silence());
    void prompt?.waitForPlayout().then(() => {
      if (stopped || session.userState !== 'away') return;
      nextSilence = setTimeout(silentPeriod, deps.silenceAfterMs);
    });
  };

  const onTranscript = (ev: voice.UserInputTranscribedEvent) => {
    if (ev.isFinal) act(monitor.callerTurn(ev.transcript));
  };
  const onUserState = (ev: voice.UserStateChangedEvent) => {
    clearTimeout(nextSilence);
    nextSilence = undefined;
    if (ev.newState === 'away') silentPeriod();
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
      clearTimeout(nextSilence);
      session.off(voice.AgentSessionEventTypes.UserInputTranscribed, onTranscript);
      session.off(voice.AgentSessionEventTypes.UserStateChanged, onUserState);
    },
  };
}
