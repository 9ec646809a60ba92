import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrations } from './store/migrations.ts';
import { openPostgresDatabase } from './store/postgres.ts';
import { usePostgres } from './store/testing/use-postgres.ts';

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

describe('dispatch migrate on PostgreSQL', () => {
  const newPostgresUrl = usePostgres();

  it('brings a new database up to the current schema, and changes nothing the second time', async () => {
    const url = await newPostgresUrl();
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [main, 'migrate'], {
        env: env({ DATABASE_URL: url }),
      });
      expect(stdout).toContain('"msg":"database schema is up to date","database":"postgres"');
    }
    const db = openPostgresDatabase(url);
    const applied = await db.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
    await db.close();
    expect(applied.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
  });

  it('exits 1 when the server is unreachable, without printing the password', async () => {
    const failure = await run(process.execPath, [main, 'migrate'], {
      env: env({ DATABASE_URL: 'postgres://dispatch:hunter2-password@127.0.0.1:1/dispatch' }),
    }).catch((err: unknown) => err as { code: number; stdout: string; stderr: string });
    expect(failure).toMatchObject({ code: 1, stdout: expect.stringContaining('migration failed') });
    const { stdout, stderr } = failure as { stdout: string; stderr: string };
    expect(`${stdout}${stderr}`).not.toContain('hunter2');
  });
});

describe('dispatch serve', () => {
  it('refuses to start without a call-record webhook secret, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-cli-'));
    const routing = join(dir, 'routing.yaml');
    writeFileSync(
      routing,
      `${readFileSync('livekit-config/routing.yaml', 'utf8')}
callRecords:
  webhooks:
    - { name: crm, url: 'https://crm.example.com/hooks', secretEnv: CRM_WEBHOOK_SECRET }
`,
    );
    await expect(
      run(process.execPath, [main, 'serve'], {
        env: env({ ROUTING_FILE: routing, CRM_WEBHOOK_SECRET: '' }),
      }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('CRM_WEBHOOK_SECRET: required'),
    });
  });
});
