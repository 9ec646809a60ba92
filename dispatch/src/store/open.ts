/**
 * Which database DATABASE_URL names, and opening the store on it.
 */
import { openPostgresDatabase, openPostgresStore } from './postgres.ts';
import type { SqlDatabase } from './sql.ts';
import { openSqliteDatabase, openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** SQLite file (or `:memory:`), or a PostgreSQL connection URL (it may hold a password). */
export type DatabaseTarget = Readonly<
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string }
>;

/** The DATABASE_URL forms dispatch accepts. */
export const DATABASE_URL_PATTERN = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;

/**
 * Reads a DATABASE_URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://...`
 * or `postgresql://...`; undefined for anything else.
 *
 * @example
 * databaseTarget('sqlite:data/dispatch.db'); // { kind: 'sqlite', path: 'data/dispatch.db' }
 * databaseTarget('postgres://u:p@db/dispatch'); // { kind: 'postgres', url: 'postgres://u:p@db/dispatch' }
 * databaseTarget('mysql://db'); // undefined
 */
export function databaseTarget(url: string): DatabaseTarget | undefined {
  if (!DATABASE_URL_PATTERN.test(url)) return undefined;
  return url.startsWith('sqlite:')
    ? { kind: 'sqlite', path: url.slice('sqlite:'.length) }
    : { kind: 'postgres', url };
}

/**
 * Opens the store on a database and brings its schema up to date.
 *
 * @example
 * const store = await openStore({ kind: 'postgres', url: process.env.DATABASE_URL });
 */
export function openStore(target: DatabaseTarget): Promise<Store> {
  return target.kind === 'sqlite' ? openSqliteStore(target.path) : openPostgresStore(target.url);
}

/**
 * The database itself, not migrated: for migrations, checks and tests.
 *
 * @example
 * const db = openDatabase(target);
 * await db.all<{ id: number }>('SELECT id FROM schema_migrations');
 * await db.close();
 */
export function openDatabase(target: DatabaseTarget): SqlDatabase {
  return target.kind === 'sqlite'
    ? openSqliteDatabase(target.path)
    : openPostgresDatabase(target.url);
}
