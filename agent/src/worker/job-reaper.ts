/**
 * The worker process's guard for job processes that die without leaving the
 * room (SIGKILL, the OOM killer). LiveKit would keep such an agent in the room
 * until its peer connection times out (about 20 s) while the caller hears
 * nothing. When a running job disappears from the worker, the reaper removes
 * its participant at once; LiveKit's participant_left webhook then lets
 * dispatch send a replacement agent (dispatch/src/recovery/). For a job that
 * ended normally the participant is already gone and nothing happens.
 */
import type { RunningJobInfo } from '@livekit/agents';
import { runningCalls } from './running-calls.ts';

export type JobReaper = Readonly<{
  /** Compares the worker's running jobs with the last call; reaps the ones that vanished. */
  observe: (running: readonly RunningJobInfo[]) => void;
}>;

/**
 * @example
 * const reaper = createJobReaper({ removeParticipant: (room, id) => rooms.removeParticipant(room, id), log });
 * setInterval(() => reaper.observe(server.activeJobs), 500);
 */
export function createJobReaper(deps: {
  removeParticipant: (room: string, identity: string) => Promise<unknown>;
  log: Readonly<{ info: (fields: object, msg: string) => void }>;
}): JobReaper {
  let known = new Map<string, { room: string; identity: string }>();
  return Object.freeze({
    observe: (running) => {
      const now = new Map<string, { room: string; identity: string }>();
      for (const { jobId, room, identity } of runningCalls(running))
        now.set(jobId, { room, identity });
      for (const [jobId, gone] of known) {
        if (now.has(jobId)) continue;
        void deps.removeParticipant(gone.room, gone.identity).then(
          () =>
            deps.log.info(
              { jobId, room: gone.room },
              'removed the participant of a job process that died',
            ),
          // Already gone: the job ended normally and left the room itself.
          () => undefined,
        );
      }
      known = now;
    },
  });
}
