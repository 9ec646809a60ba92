/**
 * Schema migrations, applied in order and recorded in `schema_migrations`.
 * Plain SQL that SQLite and PostgreSQL both accept.
 */
export const migrations: readonly { id: number; name: string; sql: string }[] = [
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
];
