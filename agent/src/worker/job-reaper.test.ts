import type { RunningJobInfo } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { createJobReaper } from './job-reaper.ts';

function job(id: string, room: string): RunningJobInfo {
  return {
    job: { id, room: { name: room } },
    acceptArguments: { name: '', identity: `agent-${id}`, metadata: '' },
  } as unknown as RunningJobInfo;
}

describe('job reaper', () => {
  it('removes the participant of a job that vanished, once, and ignores a room already left', async () => {
    const removed: string[] = [];
    const reaper = createJobReaper({
      removeParticipant: async (room, identity) => {
        removed.push(`${room}/${identity}`);
        if (identity === 'agent-AJ_2') throw new Error('not_found');
      },
      log: { info: () => undefined },
    });
    reaper.observe([job('AJ_1', 'call-a'), job('AJ_2', 'call-b')]);
    reaper.observe([job('AJ_1', 'call-a'), job('AJ_2', 'call-b')]);
    expect(removed).toEqual([]);
    reaper.observe([job('AJ_3', 'call-c')]);
    reaper.observe([job('AJ_3', 'call-c')]);
    await Promise.resolve();
    expect(removed).toEqual(['call-a/agent-AJ_1', 'call-b/agent-AJ_2']);
  });
});
