/** The store contract: schema migrations (see store-contract.ts). */
import { describe, expect, it } from 'vitest';
import { migrate } from '../migrate.ts';
import { migrations } from '../migrations.ts';
import { openDatabase, openStore } from '../open.ts';
import type { StoreHarness } from './store-harness.ts';

/** Declares the migration suite for one database. */
export function describeMigrations(harness: StoreHarness): void {
  describe('migrations', () => {
    it('applies every migration once, in order, and is idempotent', async () => {
      const target = await harness.newDatabase();
      await (await openStore(target)).close();
      await (await openStore(target)).close();
      const db = openDatabase(target);
      try {
        const rows = await db.all<{ id: number; name: string }>(
          'SELECT id, name FROM schema_migrations ORDER BY id',
        );
        expect(rows.map((r) => ({ id: Number(r.id), name: r.name }))).toEqual(
          migrations.map((m) => ({ id: m.id, name: m.name })),
        );
        expect(await migrate(db)).toEqual([]);
      } finally {
        await db.close();
      }
    });

    it('applies only the migrations a database lacks', async () => {
      const target = await harness.newDatabase();
      const db = openDatabase(target);
      try {
        expect(await migrate(db, migrations.slice(0, 1))).toEqual([1]);
        expect(await migrate(db)).toEqual(migrations.slice(1).map((m) => m.id));
      } finally {
        await db.close();
      }
    });

    it('rolls a failing migration back and records nothing for it', async () => {
      const target = await harness.newDatabase();
      const db = openDatabase(target);
      const broken = {
        id: 99,
        name: 'broken',
        sql: 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1)',
      };
      try {
        await expect(migrate(db, [...migrations, broken])).rejects.toThrow(/no_such_table/);
        const ids = await db.all<{ id: number }>('SELECT id FROM schema_migrations');
        expect(ids.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(
          migrations.map((m) => m.id),
        );
        await expect(db.all('SELECT * FROM half_done')).rejects.toThrow(/half_done/);
      } finally {
        await db.close();
      }
    });
  });
}
