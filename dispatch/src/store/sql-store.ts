/**
 * The store over any {@link SqlDatabase}: callbacks and context records here,
 * call records and their webhook outbox in call-records-sql.ts.
 */
import { randomUUID } from 'node:crypto';
import { callRecordQueries } from './call-records-sql.ts';
import { migrate } from './migrate.ts';
import { workerLeaseQueries } from './worker-leases-sql.ts';
import type { SqlDatabase } from './sql.ts';
import type { CallbackRecord, ContextRecord, NewCallback, NewContext, Store } from './store.ts';

type CallbackRow = {
  id: string;
  created_at: string;
  number: string;
  issue_type: string;
  notes: string | null;
  route: string;
  persona: string;
  genesys_conversation_id: string | null;
  sip_call_id: string | null;
};

type ContextRow = { id: string; created_at: string; body: string };

/**
 * A {@link Store} on a migrated database; closing the store closes it.
 *
 * @example
 * const db = await openSqliteDatabase(':memory:');
 * await migrate(db);
 * const store = sqlStore(db);
 * await store.getCallback('nope'); // undefined
 */
export function sqlStore(db: SqlDatabase): Store {
  return {
    async createCallback(cb: NewCallback): Promise<CallbackRecord> {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      await db.run(
        `INSERT INTO callbacks (id, created_at, number, issue_type, notes, route, persona,
           genesys_conversation_id, sip_call_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
        [
          id,
          createdAt,
          cb.number,
          cb.issueType,
          cb.notes ?? null,
          cb.route,
          cb.persona,
          cb.genesysConversationId ?? null,
          cb.sipCallId ?? null,
        ],
      );
      return Object.freeze({ ...cb, id, createdAt, status: 'pending' });
    },
    async getCallback(id: string): Promise<CallbackRecord | undefined> {
      const [row] = await db.all<CallbackRow>('SELECT * FROM callbacks WHERE id = ?', [id]);
      return row && callbackFromRow(row);
    },
    async createContext(record: NewContext): Promise<ContextRecord> {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      await db.run(
        'INSERT INTO context_records (id, created_at, genesys_conversation_id, body) VALUES (?, ?, ?, ?)',
        [id, createdAt, record.genesysConversationId ?? null, JSON.stringify(record)],
      );
      return Object.freeze({ ...record, id, createdAt });
    },
    async getContext(id: string): Promise<ContextRecord | undefined> {
      const [row] = await db.all<ContextRow>(
        'SELECT id, created_at, body FROM context_records WHERE id = ?',
        [id],
      );
      return (
        row &&
        Object.freeze({
          ...(JSON.parse(row.body) as NewContext),
          id: row.id,
          createdAt: row.created_at,
        })
      );
    },
    ...callRecordQueries(db),
    ...workerLeaseQueries(db),
    close: () => db.close(),
  };
}

function callbackFromRow(r: CallbackRow): CallbackRecord {
  return Object.freeze({
    id: r.id,
    createdAt: r.created_at,
    number: r.number,
    issueType: r.issue_type,
    notes: r.notes ?? undefined,
    route: r.route,
    persona: r.persona,
    genesysConversationId: r.genesys_conversation_id ?? undefined,
    sipCallId: r.sip_call_id ?? undefined,
    status: 'pending',
  });
}

/**
 * Migrates `db` and returns the store on it; closes `db` when migrating fails.
 *
 * @example
 * const store = await migratedStore(openSqliteDatabase(':memory:'));
 */
export async function migratedStore(db: SqlDatabase): Promise<Store> {
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return sqlStore(db);
}
