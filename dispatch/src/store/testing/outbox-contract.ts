/** The store contract: the webhook outbox (see store-contract.ts). */
import { describe, expect, it } from 'vitest';
import { sampleCall } from '../../testing/call-record.ts';
import type { Store } from '../store.ts';
import { at, type StoreHelpers } from './store-harness.ts';

/** Declares the webhook outbox suite for one database. */
export function describeOutbox({ withStore }: StoreHelpers): void {
  describe('webhook outbox', () => {
    /** A store with one record queued for `crm` and `audit`, due at T0. */
    async function queued(store: Store) {
      const { record } = await store.createCallRecord(sampleCall(), ['crm', 'audit']);
      return record;
    }
    const claim = (store: Store, ms: number, webhooks = ['crm', 'audit'], limit = 10) =>
      store.claimDeliveries({ webhooks, now: at(ms), leaseUntil: at(ms + 60_000), limit });

    it('claims due deliveries of the named webhooks with their record, once per lease', () =>
      withStore(async (store) => {
        const record = await queued(store);
        const claimed = await claim(store, 0, ['crm']);
        expect(claimed).toEqual([{ id: expect.any(String), webhook: 'crm', attempts: 0, record }]);
        expect(await claim(store, 1000, ['crm'])).toEqual([]);
        expect(await claim(store, 60_001, ['crm'])).toHaveLength(1);
        expect(await claim(store, 0, [])).toEqual([]);
        expect(await claim(store, 0, ['other'])).toEqual([]);
      }));

    it('claims at most the limit, earliest due first', () =>
      withStore(async (store) => {
        const a = (await store.createCallRecord(sampleCall({ jobId: 'AJ_A' }), ['crm'])).record;
        const b = (await store.createCallRecord(sampleCall({ jobId: 'AJ_B' }), ['crm'])).record;
        for (const d of await claim(store, 0, ['crm'])) {
          const due = d.record.id === a.id ? 2000 : 1000;
          await store.finishDelivery(d.id, {
            status: 'pending',
            attempts: 1,
            nextAttemptAt: at(due),
            error: 'HTTP 503',
          });
        }
        expect((await claim(store, 5000, ['crm'], 1)).map((d) => d.record.id)).toEqual([b.id]);
        expect((await claim(store, 5000, ['crm'], 1)).map((d) => d.record.id)).toEqual([a.id]);
      }));

    it('does not claim a delivery before its next attempt is due', () =>
      withStore(async (store) => {
        await queued(store);
        const [d] = await claim(store, 0, ['crm']);
        await store.finishDelivery(d?.id ?? '', {
          status: 'pending',
          attempts: 1,
          nextAttemptAt: at(5000),
          error: 'HTTP 500',
        });
        expect(await claim(store, 4999, ['crm'])).toEqual([]);
        expect(await claim(store, 5000, ['crm'])).toMatchObject([{ attempts: 1 }]);
      }));

    it('records delivered, retry and failed outcomes', () =>
      withStore(async (store) => {
        const record = await queued(store);
        const claimed = await claim(store, 0);
        const crm = claimed.find((d) => d.webhook === 'crm');
        const audit = claimed.find((d) => d.webhook === 'audit');
        await store.finishDelivery(crm?.id ?? '', {
          status: 'pending',
          attempts: 1,
          nextAttemptAt: at(1000),
          error: 'ECONNREFUSED',
        });
        await store.finishDelivery(audit?.id ?? '', {
          status: 'failed',
          attempts: 20,
          at: at(10),
          error: 'HTTP 500',
        });
        expect(await store.listDeliveries(record.id)).toMatchObject([
          { webhook: 'audit', status: 'failed', attempts: 20, lastError: 'HTTP 500' },
          {
            webhook: 'crm',
            status: 'pending',
            attempts: 1,
            nextAttemptAt: at(1000).toISOString(),
            lastError: 'ECONNREFUSED',
          },
        ]);
        await store.finishDelivery(crm?.id ?? '', {
          status: 'delivered',
          attempts: 2,
          at: at(1500),
        });
        expect(await store.listDeliveries(record.id)).toMatchObject([
          { webhook: 'audit', status: 'failed' },
          {
            webhook: 'crm',
            status: 'delivered',
            attempts: 2,
            lastError: undefined,
            deliveredAt: at(1500).toISOString(),
          },
        ]);
        // Finished rows are never claimed again, nor changed.
        expect(await claim(store, 10_000_000)).toEqual([]);
        await store.finishDelivery(crm?.id ?? '', {
          status: 'failed',
          attempts: 3,
          at: at(2000),
          error: 'late',
        });
        expect(await store.listDeliveries(record.id)).toMatchObject([
          { status: 'failed' },
          { status: 'delivered', attempts: 2 },
        ]);
      }));
  });
}
