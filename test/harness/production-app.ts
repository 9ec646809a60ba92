/**
 * The services in the shape the image (Dockerfile) gives them, for a machine
 * with no Docker engine: an application tree with production dependencies
 * only (a real `npm ci --omit=dev`), owned by root and read-only for the
 * user the services run as (uid 10001, as the image and the Helm chart), and
 * for each service a fresh directory of that user's as HOME and TMPDIR.
 *
 * The install is kept under `.run/prod-deps/<key>/`, keyed by what decides
 * its result (package.json, package-lock.json, .npmrc, the Node version):
 * each application tree is a fresh copy of the sources next to a hard-linked
 * copy of that install.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './tools.ts';

const run = promisify(execFile);

/** The image's user and group (Dockerfile, the chart's securityContext). */
export const APP_UID = 10001;
export const APP_GID = 10001;
const APP_USER = 'gva-app';

/** What the Dockerfile copies into /app, besides node_modules (`.dockerignore` drops the tests). */
const APP_FILES = [
  'package.json',
  'contracts',
  'agent/src',
  'dispatch/src',
  'dispatch/openapi.yaml',
] as const;
/** What decides the production install. */
const INSTALL_INPUTS = ['package.json', 'package-lock.json', '.npmrc'] as const;

export type AppUser = Readonly<{
  uid: number;
  gid: number;
  /** False when the tests already run unprivileged: the services run as the test's own user. */
  switched: boolean;
}>;

/**
 * The user the services run as: uid/gid 10001, made (`groupadd`/`useradd
 * --system`, no home, no login) when missing. A test process that is not
 * root is already unprivileged and cannot switch users: its own user then.
 */
export function appUser(): AppUser {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) throw new Error('needs a POSIX host');
  if (uid !== 0) return Object.freeze({ uid, gid, switched: false });
  const has = (db: string, id: number) => spawnSync('getent', [db, String(id)]).status === 0;
  const must = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  };
  if (!has('group', APP_GID)) must('groupadd', ['--system', '--gid', String(APP_GID), APP_USER]);
  if (!has('passwd', APP_UID)) {
    must('useradd', [
      ...['--system', '--uid', String(APP_UID), '--gid', String(APP_GID)],
      ...['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin'],
      APP_USER,
    ]);
  }
  return Object.freeze({ uid: APP_UID, gid: APP_GID, switched: true });
}

export type ProductionApp = Readonly<{
  /** The application tree (the image's /app). */
  root: string;
  /** Whether `npm ci --omit=dev` ran now (false: the install for this lock file was kept). */
  installed: boolean;
  installMs: number;
  /** Removes the tree (the kept install stays). */
  remove: () => void;
}>;

/**
 * A fresh application tree with production dependencies only, root-owned
 * and read-only for `user` (a user who owns it, when the tests are not
 * root, has its write bits taken away instead).
 */
export async function productionApp(user: AppUser): Promise<ProductionApp> {
  const started = Date.now();
  const { dir: deps, installed } = await productionInstall();
  const installMs = Date.now() - started;
  const runs = join(REPO_ROOT, '.run');
  // A tree an interrupted run left behind.
  for (const old of readdirSync(runs).filter((n) => n.startsWith('prod-app-')))
    rmSync(join(runs, old), { recursive: true, force: true });
  const root = mkdtempSync(join(runs, 'prod-app-'));
  for (const path of APP_FILES) {
    cpSync(join(REPO_ROOT, path), join(root, path), {
      recursive: true,
      filter: (src) => !src.endsWith('.test.ts'),
    });
  }
  // Hard links: the same files as the install, at the cost of the directories only.
  const cp = spawnSync('cp', ['-al', join(deps, 'node_modules'), join(root, 'node_modules')]);
  if (cp.status !== 0) throw new Error(`copying node_modules failed: ${cp.stderr}`);
  chmodSync(root, 0o755); // mkdtemp's 0700 would keep the user out altogether
  spawnSync('chmod', ['-R', user.switched ? 'go-w' : 'a-w', root]);
  return Object.freeze({
    root,
    installed,
    installMs,
    remove: () => {
      if (!user.switched) spawnSync('chmod', ['-R', 'u+w', root]);
      rmSync(root, { recursive: true, force: true });
    },
  });
}

/** `npm ci --omit=dev` as the Dockerfile runs it, once per distinct input; returns its directory. */
async function productionInstall(): Promise<{ dir: string; installed: boolean }> {
  const hash = createHash('sha256');
  for (const file of INSTALL_INPUTS) hash.update(readFileSync(join(REPO_ROOT, file)));
  hash.update(process.version);
  const key = hash.digest('hex').slice(0, 16);
  const base = join(REPO_ROOT, '.run', 'prod-deps');
  const dir = join(base, key);
  if (existsSync(join(dir, '.installed'))) return { dir, installed: false };
  mkdirSync(base, { recursive: true });
  // Installs of older lock files are not needed again.
  for (const old of readdirSync(base)) rmSync(join(base, old), { recursive: true, force: true });
  const staging = `${dir}.staging-${process.pid}`;
  mkdirSync(staging);
  for (const file of INSTALL_INPUTS) cpSync(join(REPO_ROOT, file), join(staging, file));
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: staging,
    // onnxruntime-node's install script would download CUDA libraries (as in the Dockerfile).
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    maxBuffer: 64 << 20,
  });
  writeFileSync(join(staging, '.installed'), new Date().toISOString());
  renameSync(staging, dir);
  return { dir, installed: true };
}

/**
 * For each service a fresh directory owned by `user`, mode 0700, under a
 * fresh temporary directory: its HOME and TMPDIR.
 */
export function serviceHomes(
  user: AppUser,
  services: readonly string[],
): Readonly<{ homes: Record<string, string>; remove: () => void }> {
  const base = mkdtempSync(join(tmpdir(), 'gva-prod-'));
  chmodSync(base, 0o755);
  const homes: Record<string, string> = {};
  for (const service of services) {
    const home = join(base, service);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, user.uid, user.gid);
    homes[service] = home;
  }
  return Object.freeze({ homes, remove: () => rmSync(base, { recursive: true, force: true }) });
}
