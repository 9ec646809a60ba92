/**
 * The services in production shape, on a machine with no Docker engine: run
 * as the image (Dockerfile) runs them. Dispatch and the agent worker start
 * from an application tree holding production dependencies only (a real
 * `npm ci --omit=dev`), root-owned and read-only for the user they run as
 * (uid 10001, no privileges), each with a fresh directory of that user's as
 * HOME and TMPDIR, NODE_ENV=production and nothing of the test process's
 * environment. A Genesys call must still be answered, transferred with a
 * REFER on DTMF 0 and recorded by dispatch; every file the worker writes
 * must be in its user's own directory (mode 0700), where another user or a
 * second worker cannot collide with it.
 *
 * When the tests do not run as root they cannot switch users: the services
 * then run as the test's own (already unprivileged) user, the tree made
 * read-only by its modes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPrivateDir } from '../agent/src/worker/private-dir.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import {
  appUser,
  productionApp,
  serviceHomes,
  type ProductionApp,
} from './harness/production-app.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { header } from './harness/sipp.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const CNV = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
/** The image's PATH, with this machine's Node 24 in front (the image has it in /usr/local/bin). */
const IMAGE_PATH = `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

const user = appUser();
let app: ProductionApp;
let homes: ReturnType<typeof serviceHomes>;
let stack: Stack;
let call: GenesysCallReport;
/** The worker's process group while the call's job process runs: each process's /proc status. */
let seen: { group: Record<string, string[]>[]; jobs: number } = { group: [], jobs: 0 };

beforeAll(async () => {
  app = await productionApp(user);
  // `probe`: where the write probe shows the user can write at all.
  homes = serviceHomes(user, ['dispatch', 'agent', 'probe']);
  stack = await startStack({
    slot: 9,
    name: 'test-production-shape',
    appRoot: app.root,
    runAs: {
      uid: user.uid,
      gid: user.gid,
      env: { PATH: IMAGE_PATH, NODE_ENV: 'production' },
      homes: { dispatch: homes.homes['dispatch'] ?? '', agent: homes.homes['agent'] ?? '' },
    },
  });
  const placed = placeGenesysCall(stack, { ...defaultGenesysCall, conversationId: CNV });
  // The worker's whole process group (the worker, its warm and busy job processes) mid-call.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && seen.jobs === 0) {
    await new Promise((r) => setTimeout(r, 500));
    const jobs = await activeJobs();
    const group = groupOf(pidOf('agent'))
      .map(procStatus)
      .filter((status) => status !== undefined);
    seen = { group, jobs };
  }
  call = await placed;
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  app?.remove();
  homes?.remove();
});

describe('production shape: production dependencies only, non-root, read-only tree, own TMPDIR', () => {
  it('runs from a tree with production dependencies only, laid out as the image', () => {
    const modules = join(app.root, 'node_modules');
    for (const dep of ['@livekit/agents', 'hono', 'zod', 'pino'])
      expect(existsSync(join(modules, dep))).toBe(true);
    // What the lock file marks dev-only (vitest, eslint, prettier... and theirs) is not there.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, p]) => p.dev === true && path.startsWith('node_modules/'))
      .map(([path]) => path);
    expect(devOnly).toContain('node_modules/vitest');
    expect(devOnly.filter((path) => existsSync(join(app.root, path)))).toEqual([]);
    expect(readdirSync(app.root).sort()).toEqual([
      'agent',
      'contracts',
      'dispatch',
      'node_modules',
      'package.json',
    ]);
    expect(readdirSync(join(app.root, 'agent/src'), { recursive: true })).not.toContainEqual(
      expect.stringMatching(/\.test\.ts$/),
    );
  });

  it('runs dispatch, the worker and its job processes as the unprivileged user, in production mode, from the tree', () => {
    expect(seen.jobs).toBeGreaterThan(0);
    expect(seen.group.length).toBeGreaterThan(1); // the worker and its job processes
    for (const status of [procStatus(pidOf('dispatch')) ?? {}, ...seen.group]) {
      const who = `${status['Name']?.join(' ')} ${status['Pid']?.join(' ')}`;
      // Real, effective, saved and filesystem ids.
      expect(status['Uid'], `uid of ${who}`).toEqual(Array(4).fill(String(user.uid)));
      expect(status['Gid'], `gid of ${who}`).toEqual(Array(4).fill(String(user.gid)));
      if (user.switched) expect(status['Groups'], `groups of ${who}`).toEqual([]);
    }
    for (const [name, home] of [
      ['dispatch', homes.homes['dispatch']],
      ['agent', homes.homes['agent']],
    ] as const) {
      const pid = pidOf(name);
      const env = procEnv(pid);
      expect(env).toMatchObject({ NODE_ENV: 'production', HOME: home, TMPDIR: home });
      expect(Object.keys(env).filter((k) => /^VITEST|^npm_/.test(k))).toEqual([]);
      expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(app.root);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain(app.root);
    }
  });

  it('cannot write into the application tree, only into its own directory', () => {
    const targets = [
      app.root,
      join(app.root, 'agent/src'),
      join(app.root, 'agent/src/main.ts'),
      join(app.root, 'dispatch/src'),
      join(app.root, 'package.json'),
      join(app.root, 'node_modules'),
      join(app.root, 'node_modules/@livekit/agents/package.json'),
    ];
    expect(writeAsUser(targets)).toEqual(targets.map(() => 'EACCES'));
    expect(writeAsUser([homes.homes['probe'] ?? ''])).toEqual(['written']);
  });

  it('answers the call and transfers it with a REFER on DTMF 0; dispatch holds its record', async () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(
      call.sipp.messages.some(
        (m) =>
          m.direction === 'received' && m.status === 200 && /INVITE/.test(header(m, 'CSeq') ?? ''),
      ),
    ).toBe(true);
    expect(call.heard.voicedMs).toBeGreaterThan(1500);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero', ai_cnv: CNV });
    const [record, ...more] = await callRecordsOf(stack, CNV);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ outcome: 'transferred', escalationReason: 'dtmf_zero' });
  });

  it("keeps what the worker writes in its user's own directory under its TMPDIR, mode 0700", () => {
    const tmp = homes.homes['agent'] ?? '';
    const own = userPrivateDir(tmp, user.uid);
    // Everything the worker made at the top of its TMPDIR is the user's alone.
    for (const name of readdirSync(tmp)) {
      const stats = lstatSync(join(tmp, name));
      expect({ name, uid: stats.uid, mode: (stats.mode & 0o777).toString(8) }).toEqual({
        name,
        uid: user.uid,
        mode: stats.isDirectory() ? '700' : '600',
      });
    }
    expect(readdirSync(tmp)).toContain(`genesys-voice-agent-${user.uid}`);
    // The call wrote greeting audio and the recognizer's grammar; the compile cache and the job bundle are the worker's.
    for (const dir of ['compile-cache', 'job-bundle', 'greetings', 'pocketsphinx']) {
      const stats = lstatSync(join(own, dir));
      expect({ dir, directory: stats.isDirectory(), mode: stats.mode & 0o777 }).toEqual({
        dir,
        directory: true,
        mode: 0o700,
      });
    }
    // Nothing below is someone else's, nor writable by anyone else. (Besides the
    // agent's own, espeak-ng's audio library makes PulseAudio's client
    // directories, `pulse-*` and `$HOME/.config/pulse/`, also 0700, and a symlink.)
    for (const path of walk(tmp)) {
      const stats = lstatSync(path, { throwIfNoEntry: false });
      if (!stats) continue; // a temporary file of Node's compile cache, renamed meanwhile
      const writableByOthers = !stats.isSymbolicLink() && (stats.mode & 0o022) !== 0;
      expect({ path, uid: stats.uid, writableByOthers }).toEqual({
        path,
        uid: user.uid,
        writableByOthers: false,
      });
    }
    // Nothing landed in the machine's /tmp instead.
    if (user.switched) expect(existsSync(userPrivateDir(tmpdir(), user.uid))).toBe(false);
  });

  it('adds its reliability row', () => {
    reliabilityRow({
      case: 'production shape: prod deps only, non-root, read-only tree, own TMPDIR',
      caller: `answered (200 OK), heard ${(call.heard.voicedMs / 1000).toFixed(1)} s of greeting, transferred with a REFER to ${call.refer?.target} on DTMF 0; dispatch kept the record (uid ${user.uid}, npm ci --omit=dev ${app.installed ? `${(app.installMs / 1000).toFixed(0)} s` : 'kept from an earlier run'})`,
      callsLost: 0,
      recordsLost: 0,
    });
  });
});

function pidOf(name: string): number {
  const pid = stack.processes.get(name)?.pid;
  if (pid === undefined) throw new Error(`no ${name} process`);
  return pid;
}

async function activeJobs(): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${stack.ports.agentHealth}/worker`);
    return ((await res.json()) as { active_jobs: number }).active_jobs;
  } catch {
    return 0;
  }
}

/** The processes of process group `pgid` (the worker's: it leads one, see harness/process.ts). */
function groupOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** /proc/<pid>/status as fields of words; undefined once the process has gone. */
function procStatus(pid: number): Record<string, string[]> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.split(':'))
      .map(([key, value]) => [key ?? '', (value ?? '').trim().split(/\s+/).filter(Boolean)]),
  );
}

function procEnv(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/**
 * Tries, as the services' user, to write each path (append to a file, make
 * a file in a directory); 'written' or the error code, per path.
 */
function writeAsUser(paths: readonly string[]): string[] {
  const probe = `
    const fs = require('node:fs');
    const out = process.argv.slice(1).map((p) => {
      try {
        if (fs.statSync(p).isDirectory()) fs.writeFileSync(p + '/.write-probe', 'x');
        else fs.appendFileSync(p, '');
        return 'written';
      } catch (err) {
        return err.code;
      }
    });
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', probe, ...paths], {
    uid: user.uid,
    gid: user.gid,
    env: { PATH: IMAGE_PATH },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`write probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** Every path below `dir`, not following symlinks (the job bundle links to the application's node_modules). */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    return entry.isDirectory() ? [path, ...walk(path)] : [path];
  });
}
