import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrations } from './store/migrations.ts';

const run = promisify(execFile);
const main = join(import.meta.dirname, 'main.ts');
const env = (extra: Record<string, string>) => ({
  ...process.env,
  LIVEKIT_URL: 'http://127.0.0.1:1',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'secret-0123456789',
  ROUTING_FILE: 'livekit-config/routing.yaml',
  ...extra,
});

describe('dispatch command line', () => {
  it('migrate brings a new database up to the current schema and exits 0', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'dispatch-cli-')), 'dispatch.db');
    await run(process.execPath, [main, 'migrate'], { env: env({ DATABASE_URL: `sqlite:${db}` }) });
    const applied = new DatabaseSync(db)
      .prepare('SELECT id FROM schema_migrations ORDER BY id')
      .all();
    expect(applied.map((r) => (r as { id: number }).id)).toEqual(migrations.map((m) => m.id));
  });

  it('refuses an unknown command with exit code 2 and the commands it knows', async () => {
    await expect(
      run(process.execPath, [main, 'frobnicate'], { env: env({}) }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"serve", "apply [--dry-run]" or "migrate"'),
    });
  });

  it('refuses a bad configuration with exit code 2 naming the variable', async () => {
    await expect(
      run(process.execPath, [main, 'migrate'], { env: env({ DISPATCH_PORT: 'eighty' }) }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('DISPATCH_PORT') });
  });
});
