/**
 * The embedded store: Node's built-in SQLite, one file (or `:memory:`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrations } from './migrations.ts';
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

/**
 * @example
 * const store = openSqliteStore(':memory:');
 * store.createCallback({ number: '+15551234567', issueType: 'billing', ... });
 */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  migrate(db);
  const insert = db.prepare(
    `INSERT INTO callbacks (id, created_at, number, issue_type, notes, route, persona,
       genesys_conversation_id, sip_call_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
  );
  const select = db.prepare('SELECT * FROM callbacks WHERE id = ?');
  const insertContext = db.prepare(
    'INSERT INTO context_records (id, created_at, genesys_conversation_id, body) VALUES (?, ?, ?, ?)',
  );
  const selectContext = db.prepare('SELECT id, created_at, body FROM context_records WHERE id = ?');
  return {
    createCallback(cb: NewCallback): CallbackRecord {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      insert.run(
        id,
        createdAt,
        cb.number,
        cb.issueType,
        cb.notes ?? null,
        cb.route,
        cb.persona,
        cb.genesysConversationId ?? null,
        cb.sipCallId ?? null,
      );
      return Object.freeze({ ...cb, id, createdAt, status: 'pending' });
    },
    getCallback(id: string): CallbackRecord | undefined {
      const row = select.get(id) as CallbackRow | undefined;
      return row && toRecord(row);
    },
    createContext(record: NewContext): ContextRecord {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      insertContext.run(
        id,
        createdAt,
        record.genesysConversationId ?? null,
        JSON.stringify(record),
      );
      return Object.freeze({ ...record, id, createdAt });
    },
    getContext(id: string): ContextRecord | undefined {
      const row = selectContext.get(id) as
        { id: string; created_at: string; body: string } | undefined;
      return (
        row &&
        Object.freeze({
          ...(JSON.parse(row.body) as NewContext),
          id: row.id,
          createdAt: row.created_at,
        })
      );
    },
    close: () => db.close(),
  };
}

function migrate(db: DatabaseSync): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id),
  );
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    db.exec('BEGIN');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(
        m.id,
        m.name,
        new Date().toISOString(),
      );
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}

function toRecord(r: CallbackRow): CallbackRecord {
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
