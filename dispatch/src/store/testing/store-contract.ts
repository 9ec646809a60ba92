/**
 * The store's behaviour, written once and run against every database
 * (sqlite.test.ts, postgres.test.ts): whatever DATABASE_URL picks, dispatch
 * behaves the same.
 */
import { describe, expect, it } from 'vitest';
import { CONVERSATION_ID, sampleCall } from '../../testing/call-record.ts';
import { migrate } from '../migrate.ts';
import { migrations } from '../migrations.ts';
import { openDatabase, openStore, type DatabaseTarget } from '../open.ts';
import type { SqlDatabase } from '../sql.ts';
import { sqlStore } from '../sql-store.ts';
import type { Store } from '../store.ts';

export type StoreHarness = Readonly<{
  /** A new, empty database (each call another one). */
  newDatabase(): Promise<DatabaseTarget>;
}>;

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

/**
 * Declares the store contract suite for one database.
 *
 * @example
 * describeStoreContract('sqlite', { newDatabase: async () => ({ kind: 'sqlite', path }) });
 */
export function describeStoreContract(name: string, harness: StoreHarness): void {
  /** Opens a migrated store on a new database, with the target to reopen it. */
  async function fresh(): Promise<{ store: Store; target: DatabaseTarget }> {
    const target = await harness.newDatabase();
    return { store: await openStore(target), target };
  }

  /** Runs `fn` with the store and closes it afterwards. */
  async function withStore<T>(fn: (store: Store, target: DatabaseTarget) => Promise<T>) {
    const { store, target } = await fresh();
    try {
      return await fn(store, target);
    } finally {
      await store.close();
    }
  }

  describe(`store contract: ${name}`, () => {
    describe('migrations', () => {
      it('applies every migration once, in order, and is idempotent', async () => {
        const target = await harness.newDatabase();
        await (await openStore(target)).close();
        await (await openStore(target)).close();
        const db = openDatabase(target);
        try {
          const rows = await db.all<{ id: number; name: string }>(
            'SELECT id, name FROM schema_migrations ORDER BY id',
          );
          expect(rows.map((r) => ({ id: Number(r.id), name: r.name }))).toEqual(
            migrations.map((m) => ({ id: m.id, name: m.name })),
          );
          expect(await migrate(db)).toEqual([]);
        } finally {
          await db.close();
        }
      });

      it('applies only the migrations a database lacks', async () => {
        const target = await harness.newDatabase();
        const db = openDatabase(target);
        try {
          expect(await migrate(db, migrations.slice(0, 1))).toEqual([1]);
          expect(await migrate(db)).toEqual(migrations.slice(1).map((m) => m.id));
        } finally {
          await db.close();
        }
      });

      it('rolls a failing migration back and records nothing for it', async () => {
        const target = await harness.newDatabase();
        const db = openDatabase(target);
        const broken = {
          id: 99,
          name: 'broken',
          sql: 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1)',
        };
        try {
          await expect(migrate(db, [...migrations, broken])).rejects.toThrow(/no_such_table/);
          const ids = await db.all<{ id: number }>('SELECT id FROM schema_migrations');
          expect(ids.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(
            migrations.map((m) => m.id),
          );
          await expect(db.all('SELECT * FROM half_done')).rejects.toThrow(/half_done/);
        } finally {
          await db.close();
        }
      });
    });

    describe('callbacks and context records', () => {
      it('stores a callback and reads it back, notes or not', () =>
        withStore(async (store) => {
          const cb = await store.createCallback({
            number: '+15551234567',
            issueType: 'billing',
            notes: undefined,
            route: 'main',
            persona: 'after-hours',
            genesysConversationId: undefined,
            sipCallId: 'SCL_abc',
          });
          expect(cb).toMatchObject({ status: 'pending', number: '+15551234567' });
          expect(await store.getCallback(cb.id)).toEqual(cb);
          expect(await store.getCallback('nope')).toBeUndefined();
        }));

      it('stores a context record and reads it back', () =>
        withStore(async (store) => {
          const record = await store.createContext({
            reason: 'dtmf_zero',
            queue: 'general',
            route: 'main',
            persona: 'triage',
            fields: { intent: 'billing' },
            transcript: [{ role: 'caller', text: 'hello' }],
            genesysConversationId: CONVERSATION_ID,
          });
          expect(await store.getContext(record.id)).toEqual(record);
          expect(await store.getContext('nope')).toBeUndefined();
        }));
    });

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
          expect(await store.listCallRecords({ genesysConversationId: CONVERSATION_ID })).toEqual(
            [],
          );
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
          expect(claimed).toEqual([
            { id: expect.any(String), webhook: 'crm', attempts: 0, record },
          ]);
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
