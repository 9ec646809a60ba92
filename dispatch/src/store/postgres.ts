/**
 * PostgreSQL through `pg`'s connection pool, behind {@link SqlDatabase}: the
 * shared SQL with its `?` placeholders numbered, transactions on one pooled
 * connection, and migrations under a session advisory lock (the one part
 * SQLite does not need), so that pods starting together migrate one at a time.
 */
import pg from 'pg';
import { log } from '../log.ts';
import { numberPlaceholders, type SqlDatabase, type SqlSession, type SqlValue } from './sql.ts';
import { migratedStore } from './sql-store.ts';
import type { Store } from './store.ts';

/** Advisory lock key of dispatch's migrations (any constant; "gva" in ASCII). */
const MIGRATION_LOCK_KEY = 0x677661;

/** unique_violation */
const UNIQUE_VIOLATION = '23505';

export type PostgresOptions = Readonly<{
  /** Connections in the pool; default 10. */
  maxConnections?: number;
  /** Give up connecting after this long, milliseconds; default 10 s. */
  connectTimeoutMs?: number;
}>;

/**
 * A PostgreSQL database from a `postgres://` or `postgresql://` URL (with
 * `?sslmode=...` as libpq reads it), not migrated. Connects lazily.
 *
 * @example
 * const db = openPostgresDatabase('postgres://dispatch:secret@db:5432/dispatch');
 * await db.all<{ one: number }>('SELECT 1 AS one'); // [{ one: 1 }]
 * await db.close();
 */
export function openPostgresDatabase(url: string, options: PostgresOptions = {}): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'gva-dispatch',
  });
  // An idle connection that breaks (server restart) must not crash the process.
  pool.on('error', (err) => log.warn('postgres idle connection failed', { error: err.message }));

  const session = (q: pg.Pool | pg.PoolClient): SqlSession => ({
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await q.query(numberPlaceholders(sql), [...params])).rows as Row[],
    run: async (sql, params = []) =>
      (await q.query(numberPlaceholders(sql), [...params])).rowCount ?? 0,
    // Without parameters pg uses the simple protocol, which takes several statements.
    exec: async (sql) => {
      await q.query(sql);
    },
  });

  /** Runs `fn` on one connection of its own, returned to the pool afterwards. */
  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A connection whose ROLLBACK or unlock failed is discarded, not reused.
      client.release(broken && !isQueryError(broken) ? broken : undefined);
    }
  };

  return {
    dialect: 'postgres',
    ...session(pool),
    transaction: (fn) =>
      withClient(async (client) => {
        await client.query('BEGIN');
        try {
          const result = await fn(session(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }),
    migrationLock: (fn) =>
      withClient(async (client) => {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      }),
    isUniqueViolation: (err) => isQueryError(err) && err.code === UNIQUE_VIOLATION,
    close: async () => {
      if (!pool.ended && !pool.ending) await pool.end();
    },
  };
}

/** An error the server answered (the connection is still good). */
function isQueryError(err: unknown): err is pg.DatabaseError {
  return err instanceof pg.DatabaseError;
}

/**
 * Opens the PostgreSQL store and brings its schema up to date.
 *
 * @example
 * const store = await openPostgresStore(process.env.DATABASE_URL);
 * await store.getCallRecord(id);
 * await store.close();
 */
export async function openPostgresStore(url: string, options?: PostgresOptions): Promise<Store> {
  return migratedStore(openPostgresDatabase(url, options));
}
