import { describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { migrations } from './migrations.ts';
import { openPostgresDatabase, openPostgresStore } from './postgres.ts';
import { describeStoreContract } from './testing/store-contract.ts';
import { usePostgres } from './testing/use-postgres.ts';

// A real server: Debian's PostgreSQL, started for this file (fails, never skips, without it).
const newUrl = usePostgres();

describeStoreContract('postgres', {
  newDatabase: async () => ({ kind: 'postgres', url: await newUrl() }),
});

describe('openPostgresDatabase', () => {
  it('migrates once when several processes start at the same time', async () => {
    const url = await newUrl();
    const dbs = Array.from({ length: 4 }, () => openPostgresDatabase(url));
    try {
      const applied = await Promise.all(dbs.map((db) => migrate(db)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(migrations.map((m) => m.id));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('tells a unique violation from other errors', async () => {
    const db = openPostgresDatabase(await newUrl());
    try {
      await db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
      await db.run('INSERT INTO t (id) VALUES (?)', ['a']);
      const failure = (sql: string) => db.run(sql, ['a']).catch((err: unknown) => err);
      expect(db.isUniqueViolation(await failure('INSERT INTO t (id) VALUES (?)'))).toBe(true);
      expect(db.isUniqueViolation(await failure('INSERT INTO nope (id) VALUES (?)'))).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('rejects with the connection error when the server is unreachable', async () => {
    await expect(
      openPostgresStore('postgres://dispatch:secret@127.0.0.1:1/dispatch', {
        connectTimeoutMs: 2000,
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
