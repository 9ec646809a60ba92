/** The store contract: call records (see store-contract.ts). */
import { describe, expect, it } from 'vitest';
import { CONVERSATION_ID, sampleCall } from '../../testing/call-record.ts';
import { openDatabase, openStore } from '../open.ts';
import type { SqlDatabase } from '../sql.ts';
import { sqlStore } from '../sql-store.ts';
import type { StoreHarness, StoreHelpers } from './store-harness.ts';

/** Declares the call records suite for one database. */
export function describeCallRecords(
  harness: StoreHarness,
  { fresh, withStore }: StoreHelpers,
): void {
  describe('call records', () => {
    it('stores a record with an id and createdAt, and one pending delivery per webhook', () =>
      withStore(async (store) => {
        const call = sampleCall();
        const { status, record } = await store.createCallRecord(call, ['crm', 'audit', 'crm']);
        expect(status).toBe('created');
        expect(record).toEqual({
          ...call,
          id: expect.any(String),
          createdAt: expect.any(String),
        });
        expect(Date.parse(record.createdAt)).not.toBeNaN();
        expect(Object.isFrozen(record)).toBe(true);
        expect(await store.getCallRecord(record.id)).toEqual(record);

        const deliveries = await store.listDeliveries(record.id);
        expect(deliveries.map((d) => d.webhook)).toEqual(['audit', 'crm']);
        for (const d of deliveries) {
          expect(d).toMatchObject({
            callRecordId: record.id,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: record.createdAt,
            lastError: undefined,
            deliveredAt: undefined,
          });
        }
      }));

    it('keeps a record without a conversation id and without webhooks', () =>
      withStore(async (store) => {
        const call = sampleCall();
        delete call.genesysConversationId;
        const { record } = await store.createCallRecord(call, []);
        expect(await store.getCallRecord(record.id)).toEqual(record);
        expect(record).not.toHaveProperty('genesysConversationId');
        expect(await store.listDeliveries(record.id)).toEqual([]);
      }));

    it('answers a second record of the same room and job with the first, adding no delivery', () =>
      withStore(async (store) => {
        const first = await store.createCallRecord(sampleCall(), ['crm']);
        const again = await store.createCallRecord(sampleCall({ outcome: 'failed' }), ['crm']);
        expect(again).toEqual({ status: 'duplicate', record: first.record });
        expect(await store.listDeliveries(first.record.id)).toHaveLength(1);
        const other = await store.createCallRecord(sampleCall({ jobId: 'AJ_2' }), ['crm']);
        expect(other.status).toBe('created');
      }));

    it('is undefined for an unknown id', () =>
      withStore(async (store) => {
        expect(await store.getCallRecord('nope')).toBeUndefined();
      }));

    it('lists every record of a conversation, oldest start first', () =>
      withStore(async (store) => {
        const later = await store.createCallRecord(
          sampleCall({
            jobId: 'AJ_2',
            startedAt: '2026-01-05T10:05:00.000Z',
            endedAt: '2026-01-05T10:06:00.000Z',
          }),
          [],
        );
        const earlier = await store.createCallRecord(sampleCall({ jobId: 'AJ_1' }), []);
        await store.createCallRecord(
          sampleCall({
            jobId: 'AJ_3',
            genesysConversationId: '0b0e6c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e',
          }),
          [],
        );
        expect(await store.listCallRecords({ genesysConversationId: CONVERSATION_ID })).toEqual([
          earlier.record,
          later.record,
        ]);
        expect(
          await store.listCallRecords({
            genesysConversationId: '11111111-2222-4333-8444-555555555555',
          }),
        ).toEqual([]);
      }));

    it('stores concurrent records, each with its deliveries', () =>
      withStore(async (store) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.createCallRecord(sampleCall({ jobId: `AJ_${i}` }), ['crm']),
          ),
        );
        expect(results.every((r) => r.status === 'created')).toBe(true);
        const listed = await store.listCallRecords({ genesysConversationId: CONVERSATION_ID });
        expect(listed).toHaveLength(20);
        for (const { record } of results)
          expect(await store.listDeliveries(record.id)).toHaveLength(1);
      }));

    it('writes a record and its deliveries in one transaction', async () => {
      const target = await harness.newDatabase();
      await (await openStore(target)).close();
      const db = openDatabase(target);
      const store = sqlStore(failingOutboxInserts(db));
      try {
        await expect(store.createCallRecord(sampleCall(), ['crm'])).rejects.toThrow(
          'outbox insert refused',
        );
        expect(await store.listCallRecords({ genesysConversationId: CONVERSATION_ID })).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('keeps records and deliveries across reopening the database', async () => {
      const { store, target } = await fresh();
      const { record } = await store.createCallRecord(sampleCall(), ['crm']);
      await store.close();
      const reopened = await openStore(target);
      try {
        expect(await reopened.getCallRecord(record.id)).toEqual(record);
        expect(await reopened.listDeliveries(record.id)).toMatchObject([
          { webhook: 'crm', status: 'pending' },
        ]);
      } finally {
        await reopened.close();
      }
    });
  });
}

/** `db`, whose transactions refuse any INSERT INTO webhook_outbox. */
function failingOutboxInserts(db: SqlDatabase): SqlDatabase {
  return {
    ...db,
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...tx,
          run: async (sql, params) => {
            if (sql.includes('INSERT INTO webhook_outbox'))
              throw new Error('outbox insert refused');
            return tx.run(sql, params);
          },
        }),
      ),
  };
}
