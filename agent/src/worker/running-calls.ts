/**
 * The calls a worker's job processes carry, as the room and agent identity
 * LiveKit knows them by (fake jobs of a simulation left out).
 */
import type { RunningJobInfo } from '@livekit/agents';

export type RunningCall = Readonly<{ jobId: string; room: string; identity: string }>;

/**
 * @example
 * runningCalls(server.activeJobs); // [{ jobId: 'AJ_1', room: 'call-main-_4321_x', identity: 'agent-AJ_1' }]
 */
export function runningCalls(running: readonly RunningJobInfo[]): RunningCall[] {
  const calls: RunningCall[] = [];
  for (const info of running) {
    const room = info.job.room?.name;
    const identity = info.acceptArguments.identity;
    if (room && identity && !info.fakeJob) calls.push({ jobId: info.job.id, room, identity });
  }
  return calls;
}
