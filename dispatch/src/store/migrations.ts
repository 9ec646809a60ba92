/**
 * Schema migrations, applied in order (each in its own transaction) and
 * recorded in `schema_migrations` by migrate.ts. One list for both databases:
 * plain SQL that SQLite and PostgreSQL both accept (TEXT, INTEGER, indexes;
 * times are ISO-8601 UTC text, which sorts in time order). Append only: never
 * edit a migration that has shipped.
 */
export type Migration = Readonly<{ id: number; name: string; sql: string }>;

export const migrations: readonly Migration[] = [
  {
    id: 1,
    name: 'callbacks',
    sql: `CREATE TABLE callbacks (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      number TEXT NOT NULL,
      issue_type TEXT NOT NULL,
      notes TEXT,
      route TEXT NOT NULL,
      persona TEXT NOT NULL,
      genesys_conversation_id TEXT,
      sip_call_id TEXT,
      status TEXT NOT NULL
    )`,
  },
  {
    id: 2,
    name: 'context records',
    sql: `CREATE TABLE context_records (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      genesys_conversation_id TEXT,
      body TEXT NOT NULL
    )`,
  },
  {
    id: 3,
    name: 'call records and webhook outbox',
    sql: `CREATE TABLE call_records (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      room TEXT NOT NULL,
      job_id TEXT NOT NULL,
      sip_call_id TEXT NOT NULL,
      genesys_conversation_id TEXT,
      started_at TEXT NOT NULL,
      body TEXT NOT NULL,
      UNIQUE (room, job_id)
    );
    CREATE INDEX call_records_conversation ON call_records (genesys_conversation_id);
    CREATE TABLE webhook_outbox (
      id TEXT PRIMARY KEY,
      call_record_id TEXT NOT NULL REFERENCES call_records (id),
      webhook TEXT NOT NULL,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT,
      delivered_at TEXT,
      UNIQUE (call_record_id, webhook)
    );
    CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at)`,
  },
  {
    id: 4,
    name: 'worker leases',
    sql: `CREATE TABLE worker_leases (
      worker_id TEXT PRIMARY KEY,
      expires_at TEXT NOT NULL,
      calls TEXT NOT NULL
    );
    CREATE INDEX worker_leases_expiry ON worker_leases (expires_at)`,
  },
];
