/**
 * Enforces the handoff policy on a live call, outside the LLM: the caller's
 * finished turns (with the recognizer's confidence), the caller going silent
 * ("away") and the session clock feed the monitor; its decisions are spoken,
 * handed to the transfer control with their reason code, or end the call
 * politely. A handoff that does not go through re-arms the monitor.
 */
import { voice } from '@livekit/agents';
import type { CallLogger } from '../observability/call-logger.ts';
import type { Decision, HandoffMonitor } from '../policy/handoff-monitor.ts';
import type { TransferControl } from '../transfer/control.ts';
import type { CallTasks } from './tasks.ts';

/** The part of the agent session the exits use. */
export type ExitSession = Pick<voice.AgentSession, 'on' | 'off' | 'userState' | 'say'>;

export type ExitWatch = Readonly<{
  /** A finished caller turn: its text and the recognizer's confidence (0..1), when known. */
  callerTurn: (text: string, confidence: number | undefined) => void;
}>;

export type ExitDeps = Readonly<{
  session: ExitSession;
  monitor: HandoffMonitor;
  transfers: TransferControl;
  tasks: CallTasks;
  humanQueue: string;
  log: CallLogger;
  /** Whether the call is still in conversation (no handoff under way, not ending). */
  conversing: () => boolean;
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
  now?: () => number;
}>;

/**
 * @example
 * const exits = watchExits({ session, monitor, transfers, tasks, humanQueue: 'general', log, conversing, endCall, silenceAfterMs: 10_000 });
 * exits.callerTurn('I want a person', 0.92);
 */
export function watchExits(deps: ExitDeps): ExitWatch {
  const { session, monitor, log, tasks } = deps;
  /**
   * Says a line (the caller may talk over it when `interruptible`); resolves
   * once it has played. A session that is closing refuses with a throw, and a
   * throw from a timer would kill the job process before the call's record
   * is stored: a closing session says nothing more.
   */
  const speak = async (text: string, interruptible: boolean) => {
    try {
      await session.say(text, { allowInterruptions: interruptible }).waitForPlayout();
    } catch {
      // Closing: the caller has gone or is being handed over.
    }
  };
  const now = deps.now ?? Date.now;
  let stopSilence: (() => void) | undefined;

  const handOff = async (reason: Extract<Decision, { action: 'handoff' }>['reason']) => {
    if (reason === 'caller_request') {
      // The persona transferred, or the call ended meanwhile.
      if (!(await tasks.sleep(deps.callerRequestGraceMs ?? 6000)) || !deps.conversing()) return;
      log.info({ reason }, 'persona did not act on the request for a person; transferring');
    }
    const result = await deps.transfers.handOff({
      queue: deps.humanQueue,
      reason,
      announce: 'connecting',
      onFailure: 'apologize',
    });
    if (result.status !== 'transferred' && result.status !== 'busy') monitor.handoffFailed();
  };

  const act = (decision: Decision): Promise<void> | undefined => {
    switch (decision.action) {
      case 'none':
        return undefined;
      case 'say':
        return speak(decision.text, true);
      case 'handoff':
        log.info({ reason: decision.reason, detail: decision.detail }, 'handoff policy triggered');
        void tasks.run('policy handoff', () => handOff(decision.reason));
        return undefined;
      case 'end':
        log.info({}, 'handoff policy ends the call');
        void tasks.run('policy end', async () => {
          await speak(decision.say, false);
          await deps.endCall();
        });
        return undefined;
    }
  };

  // The session reports "away" once, then not again until the caller speaks:
  // after a silence prompt has played, the next silent period is timed here.
  const silentPeriod = () => {
    stopSilence = undefined;
    if (deps.paused?.()) return;
    void act(monitor.silence())?.then(() => {
      if (session.userState !== 'away') return;
      stopSilence = tasks.timeout(deps.silenceAfterMs, silentPeriod);
    });
  };

  tasks.on(
    session,
    voice.AgentSessionEventTypes.UserStateChanged,
    (ev: voice.UserStateChangedEvent) => {
      stopSilence?.();
      stopSilence = undefined;
      if (ev.newState === 'away') silentPeriod();
    },
  );
  const started = now();
  tasks.interval(deps.clockMs ?? 1000, () => {
    void act(monitor.elapsed(Math.floor((now() - started) / 1000)));
  });

  return Object.freeze({
    callerTurn: (text, confidence) => void act(monitor.callerTurn(text, confidence)),
  });
}
