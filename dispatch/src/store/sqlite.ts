/**
 * The embedded database: Node's built-in SQLite, one file (or `:memory:`).
 * node:sqlite is synchronous; this driver puts it behind the asynchronous
 * {@link SqlDatabase} and runs one statement or transaction at a time, so
 * that a transaction never sees another request's statements between its own.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqlDatabase, SqlSession, SqlValue } from './sql.ts';
import { migratedStore } from './sql-store.ts';
import type { Store } from './store.ts';

/** SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE. */
const UNIQUE_ERRCODES: ReadonlySet<number> = new Set([1555, 2067]);

/** How long a statement waits for another process's write lock, milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its directory if needed) an SQLite database, not migrated.
 *
 * @example
 * const db = openSqliteDatabase(':memory:');
 * await db.run('CREATE TABLE t (a TEXT)');
 * await db.all<{ a: string }>('SELECT a FROM t'); // []
 */
export function openSqliteDatabase(path: string): SqlDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA foreign_keys = ON');

  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const bind = (params: readonly SqlValue[]) => params as SQLInputValue[];
  // Statements straight on the connection: only ever called inside `serially`.
  const direct: SqlSession = {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      prepared(sql).all(...bind(params)) as Row[],
    run: async (sql, params = []) => Number(prepared(sql).run(...bind(params)).changes),
    exec: async (sql) => db.exec(sql),
  };

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after everything queued before it. */
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => {});
    return result;
  };

  return {
    dialect: 'sqlite',
    all: (sql, params) => serially(() => direct.all(sql, params)),
    run: (sql, params) => serially(() => direct.run(sql, params)),
    exec: (sql) => serially(() => direct.exec(sql)),
    transaction: (fn) =>
      serially(async () => {
        // IMMEDIATE takes the write lock now: another process waits, never half-reads.
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      }),
    // Each migration's IMMEDIATE transaction already excludes other processes.
    migrationLock: (fn) => fn(),
    isUniqueViolation: (err) =>
      typeof err === 'object' &&
      err !== null &&
      UNIQUE_ERRCODES.has((err as { errcode?: unknown }).errcode as number),
    close: () =>
      serially(async () => {
        statements.clear();
        if (db.isOpen) db.close();
      }),
  };
}

/**
 * Opens the SQLite store and brings its schema up to date.
 *
 * @example
 * const store = await openSqliteStore(':memory:');
 * const cb = await store.createCallback({ number: '+15551234567', issueType: 'billing', ... });
 * await store.close();
 */
export async function openSqliteStore(path: string): Promise<Store> {
  return migratedStore(openSqliteDatabase(path));
}
