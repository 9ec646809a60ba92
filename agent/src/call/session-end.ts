/**
 * When a call's voice session has ended. Normally the session's Close event;
 * but a session whose close hangs after the caller left (a provider stream
 * that never finishes closing) would otherwise keep the call from ever
 * storing its record. Once the caller has gone, the session gets
 * {@link CLOSE_DEADLINE_MS} to close; past it the call ends without it.
 */
import { voice } from '@livekit/agents';
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import type { CallLogger } from '../observability/call-logger.ts';
import type { CallRoom, CallSession } from './ports.ts';
import type { CallTasks } from './tasks.ts';

/**
 * Ms a session may take to close after the caller left. A healthy session
 * closes within about a second (its speech interrupted, its streams closed).
 */
export const CLOSE_DEADLINE_MS = 10_000;

export type SessionEnd = Readonly<{
  /** The session's own Close event, or `stuck` when the deadline passed without one. */
  reason: voice.CloseEvent['reason'] | 'stuck';
  error: voice.CloseEvent['error'];
}>;

/**
 * @example
 * const ended = sessionEnd({ session, room: ports.room, callerIdentity: caller.identity, tasks, log });
 * const { reason, error } = await ended;
 */
export function sessionEnd(deps: {
  session: CallSession;
  room: CallRoom;
  callerIdentity: string;
  tasks: CallTasks;
  log: CallLogger;
  deadlineMs?: number;
}): Promise<SessionEnd> {
  const { session, room, tasks, log } = deps;
  return new Promise<SessionEnd>((resolve) => {
    tasks.on(session, voice.AgentSessionEventTypes.Close, (ev: voice.CloseEvent) =>
      resolve({ reason: ev.reason, error: ev.error }),
    );
    tasks.on(room, RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
      if (p.identity !== deps.callerIdentity) return;
      tasks.timeout(deps.deadlineMs ?? CLOSE_DEADLINE_MS, () => {
        log.error(
          { deadlineMs: deps.deadlineMs ?? CLOSE_DEADLINE_MS },
          'voice session did not close after the caller left; ending the call without it',
        );
        resolve({ reason: 'stuck', error: null });
      });
    });
  });
}
