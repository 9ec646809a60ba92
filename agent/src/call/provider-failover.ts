/**
 * The failover point for voice providers: a cloud provider failing past its
 * retries (when the policy says so), or the pipeline failing outright, hands
 * the caller to the route's queue after an apology recorded at call start
 * with the offline voice, so it plays whatever failed. Runs at most once.
 */
import type { voice } from '@livekit/agents';
import type { AudioFrame, Room } from '@livekit/rtc-node';
import type { HandoffResult } from '../transfer/handoff.ts';
import { playAnnouncement } from '../voice/announcement.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { TransferControl } from './transfers.ts';

export type ProviderFailover = Readonly<{
  /** Starts the handoff (once); later calls return the same promise. */
  start: (failed: Readonly<{ piece: string; provider: string }>) => Promise<unknown>;
  /** The handoff under way, if one started. */
  started: () => Promise<unknown> | undefined;
}>;

export function createProviderFailover(deps: {
  session: Pick<voice.AgentSession, 'interrupt' | 'say'>;
  room: Pick<Room, 'localParticipant'>;
  transfers: TransferControl;
  humanQueue: string;
  /** The apology's audio, synthesized at call start. */
  apology: Promise<readonly AudioFrame[]>;
  log: CallLogger;
}): ProviderFailover {
  let handoff: Promise<unknown> | undefined;
  const start: ProviderFailover['start'] = (failed) => {
    if (handoff) return handoff;
    deps.log.error(
      { failed: failed.piece, provider: failed.provider },
      'voice provider failed; handing the caller to a human',
    );
    try {
      // Whatever the session was saying or about to say yields to the apology.
      void deps.session.interrupt({ force: true });
    } catch {
      // A closing session has nothing left to interrupt.
    }
    handoff = deps.transfers
      .transfer(deps.humanQueue, 'provider_failure', undefined, async () =>
        playAnnouncement(deps.room, await deps.apology, 'apology'),
      )
      .then((result: HandoffResult | { status: 'busy' }) => {
        if (result.status === 'not_transferred' || result.status === 'unknown_queue') {
          try {
            deps.session.say('I could not connect you right now. Please stay on the line.');
          } catch {
            // The session is gone; the call runner ends the job.
          }
        }
        return result;
      });
    return handoff;
  };
  return Object.freeze({ start, started: () => handoff });
}
