/**
 * Dead workers, found by their lapsed leases (contracts/worker-lease.ts):
 * each agent a dead worker carried is removed from its room, which is what
 * LiveKit itself would do only when the agent's peer connection times out
 * (about 20 s). Its participant_left webhook then brings recovery
 * (call-recovery.ts): a replacement agent, or the route's queue.
 *
 * Leases are only judged once dispatch has been up for a few lease lifetimes,
 * so that a dispatch that was down (workers could not renew) never takes
 * live workers for dead ones when it comes back.
 */
import { log } from '../log.ts';
import type { ExpiredWorkerLease } from '../store/store.ts';

export type DeadWorkerDeps = Readonly<{
  takeExpired: (now: Date) => Promise<readonly ExpiredWorkerLease[]>;
  /** RoomService.removeParticipant; rejects when the participant is already gone. */
  removeParticipant: (room: string, identity: string) => Promise<unknown>;
  /** Leases are judged from this long after start. */
  graceMs: number;
  now?: () => number;
}>;

/**
 * One sweep; resolves with the calls handed to recovery.
 *
 * @example
 * const sweep = deadWorkerSweeper({ takeExpired: (now) => store.takeExpiredWorkerLeases(now), removeParticipant, graceMs: 9000 });
 * setInterval(() => void sweep(), 500);
 */
export function deadWorkerSweeper(deps: DeadWorkerDeps): () => Promise<number> {
  const now = deps.now ?? Date.now;
  const judgeFrom = now() + deps.graceMs;
  let sweeping = false;
  return async () => {
    if (sweeping || now() < judgeFrom) return 0;
    sweeping = true;
    try {
      let handed = 0;
      for (const lease of await deps.takeExpired(new Date(now()))) {
        if (lease.calls.length === 0) continue;
        log.warn('a worker stopped renewing its lease; removing its agents from their calls', {
          workerId: lease.workerId,
          calls: lease.calls.length,
          expiredAt: lease.expiredAt.toISOString(),
        });
        const removed = await Promise.all(
          lease.calls.map(({ room, identity }) =>
            deps.removeParticipant(room, identity).then(
              () => 1,
              // Gone already: the call ended, or LiveKit removed the agent itself.
              () => 0,
            ),
          ),
        );
        handed += removed.reduce<number>((a, b) => a + b, 0);
      }
      return handed;
    } finally {
      sweeping = false;
    }
  };
}
