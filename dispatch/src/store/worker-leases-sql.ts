/**
 * Worker leases (contracts/worker-lease.ts) on any {@link SqlDatabase}: one
 * row per worker, replaced on each renewal. Taking the expired leases deletes
 * them in the statement that reads them, so with several dispatch replicas
 * each dead worker's calls are handed to exactly one.
 */
import type { SqlDatabase } from './sql.ts';
import type { ExpiredWorkerLease, Store } from './store.ts';

type LeaseRow = { worker_id: string; expires_at: string; calls: string };

export function workerLeaseQueries(
  db: SqlDatabase,
): Pick<Store, 'renewWorkerLease' | 'releaseWorkerLease' | 'takeExpiredWorkerLeases'> {
  return {
    async renewWorkerLease(workerId, calls, expiresAt) {
      await db.run(
        `INSERT INTO worker_leases (worker_id, expires_at, calls) VALUES (?, ?, ?)
         ON CONFLICT (worker_id) DO UPDATE SET expires_at = excluded.expires_at, calls = excluded.calls`,
        [workerId, expiresAt.toISOString(), JSON.stringify(calls)],
      );
    },
    async releaseWorkerLease(workerId) {
      await db.run('DELETE FROM worker_leases WHERE worker_id = ?', [workerId]);
    },
    async takeExpiredWorkerLeases(now) {
      // One statement: a row deleted here is returned to this caller alone.
      const rows = await db.all<LeaseRow>(
        'DELETE FROM worker_leases WHERE expires_at < ? RETURNING worker_id, expires_at, calls',
        [now.toISOString()],
      );
      return rows.map((row) => ({
        workerId: row.worker_id,
        expiredAt: new Date(row.expires_at),
        calls: JSON.parse(row.calls) as ExpiredWorkerLease['calls'],
      }));
    },
  };
}
