/**
 * What the shared store (sql-store.ts) needs from a database, so that one
 * implementation of every query runs on SQLite and PostgreSQL alike. SQL is
 * written once, with `?` placeholders; the PostgreSQL driver numbers them
 * (`$1`, `$2`...) before sending.
 */

/** A value bound to a placeholder: text, a number, or NULL. */
export type SqlValue = string | number | null;

/** Statements on one connection: the database itself, or a transaction. */
export interface SqlSession {
  /** The rows a query returns, typed by the caller. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs one statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of statements without parameters (a migration). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlSession {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when
   * it throws. Inside, use only `tx` (the database waits for the transaction).
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Runs `fn` while no other process migrates this database. */
  migrationLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether an error is a UNIQUE or PRIMARY KEY violation. */
  isUniqueViolation(err: unknown): boolean;
  /** Waits for running statements, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Numbers `?` placeholders for PostgreSQL. The shared SQL has no `?` inside
 * string literals, so every `?` is a placeholder.
 *
 * @example
 * numberPlaceholders('SELECT * FROM t WHERE a = ? AND b = ?');
 * // 'SELECT * FROM t WHERE a = $1 AND b = $2'
 */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * `?, ?, ?`: placeholders for an `IN (...)` list of `count` values.
 *
 * @example
 * `webhook IN (${placeholders(2)})`; // 'webhook IN (?, ?)'
 */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
