/** The store contract: worker leases (see store-contract.ts). */
import { describe, expect, it } from 'vitest';
import { openStore } from '../open.ts';
import { at, type StoreHelpers } from './store-harness.ts';

const CALL = { room: 'call-main-_4321_x', identity: 'agent-AJ_1' };

/** Declares the worker lease suite for one database. */
export function describeWorkerLeases({ withStore }: StoreHelpers): void {
  describe('worker leases', () => {
    it('returns a lease once it expires, with the calls of its last renewal, and only once', () =>
      withStore(async (store) => {
        await store.renewWorkerLease('w1', [], at(1000));
        await store.renewWorkerLease('w1', [CALL], at(3000));
        await store.renewWorkerLease('w2', [CALL], at(10_000));
        expect(await store.takeExpiredWorkerLeases(at(2999))).toEqual([]);
        expect(await store.takeExpiredWorkerLeases(at(3001))).toEqual([
          { workerId: 'w1', expiredAt: at(3000), calls: [CALL] },
        ]);
        expect(await store.takeExpiredWorkerLeases(at(3002))).toEqual([]);
      }));

    it('forgets a released lease', () =>
      withStore(async (store) => {
        await store.renewWorkerLease('w1', [CALL], at(1000));
        await store.releaseWorkerLease('w1');
        expect(await store.takeExpiredWorkerLeases(at(5000))).toEqual([]);
      }));

    it('hands an expired lease to one of two replicas taking at once', () =>
      withStore(async (store, target) => {
        const other = await openStore(target);
        try {
          await store.renewWorkerLease('w1', [CALL], at(1000));
          const [a, b] = await Promise.all([
            store.takeExpiredWorkerLeases(at(2000)),
            other.takeExpiredWorkerLeases(at(2000)),
          ]);
          expect([...a, ...b]).toHaveLength(1);
        } finally {
          await other.close();
        }
      }));
  });
}
