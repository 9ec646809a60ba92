import { describe, expect, it } from 'vitest';
import type { ExpiredWorkerLease } from '../store/store.ts';
import { deadWorkerSweeper } from './dead-workers.ts';

const lease = (calls: ExpiredWorkerLease['calls']): ExpiredWorkerLease => ({
  workerId: 'w1',
  expiredAt: new Date(0),
  calls,
});

describe('deadWorkerSweeper', () => {
  it('removes every agent a dead worker carried, counting those still in their rooms', async () => {
    const removed: string[] = [];
    const sweep = deadWorkerSweeper({
      takeExpired: async () => [
        lease([
          { room: 'r1', identity: 'agent-1' },
          { room: 'r2', identity: 'agent-2' },
        ]),
        lease([]),
      ],
      removeParticipant: async (room, identity) => {
        if (room === 'r2') throw new Error('participant not found');
        removed.push(`${room} ${identity}`);
      },
      graceMs: 0,
    });
    expect(await sweep()).toBe(1);
    expect(removed).toEqual(['r1 agent-1']);
  });

  it('judges no lease until dispatch has been up for the grace period', async () => {
    let t = 0;
    let taken = 0;
    const sweep = deadWorkerSweeper({
      takeExpired: async () => {
        taken++;
        return [];
      },
      removeParticipant: async () => undefined,
      graceMs: 9000,
      now: () => t,
    });
    await sweep();
    expect(taken).toBe(0);
    t = 9000;
    await sweep();
    expect(taken).toBe(1);
  });
});
