/**
 * A throwaway PostgreSQL cluster for tests: Debian's server binaries
 * (package `postgresql`, under /usr/lib/postgresql/<version>/bin), a data
 * directory and socket in a temporary directory, a free loopback port, trust
 * authentication. PostgreSQL refuses to run as root, so as root the cluster
 * runs as the `postgres` user the package creates. Missing binaries are an
 * error, never a reason to skip: the unit tests cover both databases.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../testing/free-port.ts';

const run = promisify(execFile);

/** Where Debian installs each major version's server binaries. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

export const POSTGRES_MISSING =
  'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/<version>/bin: ' +
  'install the Debian package "postgresql" (scripts/setup.sh does), or set POSTGRES_BIN_DIR';

export type PostgresCluster = Readonly<{
  /** Creates a new, empty database and resolves with its `postgres://` URL. */
  createDatabase(): Promise<string>;
  /** Stops the server at once (as a crash), keeping its data; clients get connection errors. */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port, with its data. */
  resume(): Promise<void>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}>;

/**
 * Starts a cluster; stop it in `afterAll`.
 *
 * @example
 * let cluster: PostgresCluster;
 * beforeAll(async () => { cluster = await startPostgres(); }, 60_000);
 * afterAll(() => cluster.stop());
 * const url = await cluster.createDatabase(); // postgres://postgres@127.0.0.1:54012/test_1
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findBinDir();
  const asUser = await runAs();
  const dir = mkdtempSync(join(tmpdir(), 'gva-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (asUser) {
    chownSync(dir, asUser.uid, asUser.gid);
    chmodSync(dir, 0o700);
  }
  const pgCommand = (name: string, args: string[]) => {
    const [file, ...rest] = asUser
      ? ['runuser', '-u', 'postgres', '--', join(bin, name), ...args]
      : [join(bin, name), ...args];
    return run(file as string, rest, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  };

  let port = 0;
  let serve: () => Promise<void> = () => Promise.reject(new Error('the cluster is not set up'));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await pgCommand('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    serve = () =>
      pgCommand('pg_ctl', ['-D', data, '-l', logFile, '-o', settings, '-w', '-t', '30', 'start'])
        .then(() => undefined)
        .catch((err: unknown) => {
          const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
          throw new Error(`pg_ctl start failed: ${(err as Error).message}\n${log}`);
        });
    await serve();
    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let created = 0;
    return {
      async createDatabase() {
        const name = `test_${++created}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async pause() {
        await pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      },
      resume: () => serve(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The newest version's bin directory (or POSTGRES_BIN_DIR); throws {@link POSTGRES_MISSING}. */
function findBinDir(): string {
  const override = process.env['POSTGRES_BIN_DIR'];
  if (override) {
    if (!existsSync(join(override, 'initdb'))) throw new Error(POSTGRES_MISSING);
    return override;
  }
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(DEBIAN_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(POSTGRES_MISSING);
  return join(DEBIAN_ROOT, newest, 'bin');
}

/** As root: the `postgres` account to run the server as; otherwise undefined (run as ourselves). */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and PostgreSQL refuses root: no "postgres" user to run it as ' +
        '(the Debian package "postgresql" creates one)',
    );
  }
}
