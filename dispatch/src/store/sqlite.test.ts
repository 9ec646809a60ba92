import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from './sqlite.ts';
import { describeStoreContract } from './testing/store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'dispatch-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let databases = 0;

describeStoreContract('sqlite', {
  // A file in a directory that does not exist yet: the store creates it.
  newDatabase: async () => ({
    kind: 'sqlite',
    path: join(dir, `db-${++databases}`, 'dispatch.db'),
  }),
});

describe('openSqliteDatabase', () => {
  it('runs one statement or transaction at a time, in call order', async () => {
    const db = openSqliteDatabase(':memory:');
    await db.exec('CREATE TABLE t (n INTEGER)');
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.run('INSERT INTO t (n) VALUES (?)', [1]);
      await held;
      throw new Error('roll back');
    });
    // Queued behind the transaction: it must not join it (and be rolled back with it).
    const outside = db.run('INSERT INTO t (n) VALUES (?)', [2]);
    release();
    await expect(tx).rejects.toThrow('roll back');
    await outside;
    expect(await db.all<{ n: number }>('SELECT n FROM t')).toEqual([{ n: 2 }]);
    await db.close();
  });

  it('tells a unique violation from other errors', async () => {
    const db = openSqliteDatabase(':memory:');
    await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, u TEXT UNIQUE)');
    await db.run("INSERT INTO t VALUES ('a', 'x')");
    const duplicate = (sql: string) => db.run(sql).catch((err: unknown) => err);
    expect(db.isUniqueViolation(await duplicate("INSERT INTO t VALUES ('a', 'y')"))).toBe(true);
    expect(db.isUniqueViolation(await duplicate("INSERT INTO t VALUES ('b', 'x')"))).toBe(true);
    expect(db.isUniqueViolation(await duplicate('INSERT INTO nope VALUES (1)'))).toBe(false);
    await db.close();
  });
});
