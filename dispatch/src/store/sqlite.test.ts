import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from './migrations.ts';
import { openSqliteStore } from './sqlite.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openSqliteStore', () => {
  it('keeps callbacks across reopening the file and migrates only once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-db-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'dispatch.db');
    const first = openSqliteStore(path);
    const cb = first.createCallback({
      number: '+15551234567',
      issueType: 'billing',
      notes: undefined,
      route: 'main',
      persona: 'after-hours',
      genesysConversationId: undefined,
      sipCallId: 'SCL_abc',
    });
    first.close();

    const second = openSqliteStore(path);
    expect(second.getCallback(cb.id)).toEqual(cb);
    second.close();

    const db = new DatabaseSync(path);
    const rows = db.prepare('SELECT id FROM schema_migrations').all();
    expect(rows).toHaveLength(migrations.length);
    db.close();
  });
});
