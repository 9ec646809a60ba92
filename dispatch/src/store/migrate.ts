/**
 * Brings a database up to the current schema: the same migrations, the same
 * bookkeeping, on SQLite and PostgreSQL. Idempotent, and safe when several
 * processes start at once (the driver's migration lock serialises them, and
 * each migration checks again inside its transaction).
 */
import type { Migration } from './migrations.ts';
import { migrations as allMigrations } from './migrations.ts';
import type { SqlDatabase } from './sql.ts';

const CREATE_SCHEMA_MIGRATIONS =
  'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order,
 * each in its own transaction; resolves with the ids it applied.
 *
 * @example
 * await migrate(db); // [1, 2, 3] on a new database
 * await migrate(db); // [] afterwards
 */
export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = allMigrations,
): Promise<number[]> {
  return db.migrationLock(async () => {
    await db.exec(CREATE_SCHEMA_MIGRATIONS);
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      const done = await db.transaction(async (tx) => {
        const rows = await tx.all('SELECT id FROM schema_migrations WHERE id = ?', [m.id]);
        if (rows.length > 0) return false;
        await tx.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
          m.id,
          m.name,
          new Date().toISOString(),
        ]);
        return true;
      });
      if (done) applied.push(m.id);
    }
    return applied;
  });
}
