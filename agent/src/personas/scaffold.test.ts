import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { initializeLogger } from '@livekit/agents';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from './persona.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  testPersona,
  type PersonaTest,
} from './testing/index.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'scripts/new-persona.ts');

type Run = Readonly<{ code: number; stdout: string; stderr: string }>;

/** Runs a Node script as a child process; never rejects on a non-zero exit. */
function node(args: readonly string[], opts: { cwd: string; timeoutMs?: number }): Promise<Run> {
  // A nested vitest must not take this worker's VITEST_* variables for its own.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const scaffold = (...args: string[]) => node([SCRIPT, ...args], { cwd: REPO_ROOT });

let dir: string;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  dir = await mkdtemp(join(tmpdir(), 'new-persona-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scripts/new-persona.ts', () => {
  it.each(['Front_Desk', '9lives', 'front desk', `a${'b'.repeat(41)}`])(
    'refuses the invalid name %j and writes nothing',
    async (name) => {
      const run = await scaffold(name, '--dir', dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`invalid persona name "${name}"`);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('refuses a missing name, an unknown option and a missing directory', async () => {
    expect(await scaffold()).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/a persona name is required/),
    });
    expect(await scaffold('x', '--force')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown option/),
    });
    const missing = join(dir, 'missing');
    expect(await scaffold('x', '--dir', missing)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not a directory/),
    });
  });

  it('writes the persona and its test, and prints the registry line', async () => {
    const run = await scaffold('front-desk', '--dir', dir);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain("  import frontDesk from './front-desk.ts';");
    expect((await readdir(dir)).sort()).toEqual(['front-desk.test.ts', 'front-desk.ts']);
  });

  it('refuses to overwrite an existing persona', async () => {
    const file = join(dir, 'front-desk.ts');
    const before = await readFile(file, 'utf8');
    const run = await scaffold('front-desk', '--dir', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already exist');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('names a persona whose name is a reserved word safely', async () => {
    const run = await scaffold('new', '--dir', dir);
    expect(run.stdout).toContain("  import newPersona from './new.ts';");
    await rm(join(dir, 'new.ts'));
    await rm(join(dir, 'new.test.ts'));
  });
});

describe('the generated persona', () => {
  let persona: Persona;
  let open: PersonaTest | undefined;
  beforeAll(async () => {
    if (!existsSync(join(dir, 'front-desk.ts'))) await scaffold('front-desk', '--dir', dir);
    const url = pathToFileURL(join(dir, 'front-desk.ts')).href;
    persona = ((await import(/* @vite-ignore */ url)) as { default: Persona }).default;
  });
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });

  it('declares itself consistently', () => {
    expect(persona.name).toBe('front-desk');
    expect(persona.transferTargets).toEqual(['general']);
    expect(offlineIntentProblems(persona)).toEqual([]);
  });

  it('transfers a caller who asks for a person, and says toolFailed when that fails', async () => {
    open = await testPersona(persona);
    await open.run('Can I talk to someone, please?');
    expect(open.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
    await open.close();

    const runtime = new RecordingRuntime({ transferResult: 'failed' });
    open = await testPersona(persona, { runtime });
    const result = await open.run('I want a representative');
    result.expect.containsFunctionCallOutput({ isError: true });
    result.expect.containsMessage({ role: 'assistant' });
    expect(result.events.at(-1)).toMatchObject({
      type: 'message',
      item: { content: [persona.offline.toolFailed] },
    });
  });

  it('has a test that passes under vitest', { timeout: 90_000 }, async () => {
    // Resolves vitest and @livekit/agents from the temporary directory as from the repo.
    await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(dir, 'vitest.config.mjs'), 'export default {};\n');
    const vitest = join(REPO_ROOT, 'node_modules/vitest/vitest.mjs');
    const run = await node(
      [vitest, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')],
      { cwd: dir, timeoutMs: 80_000 },
    );
    expect(stripVTControlCharacters(run.stdout)).toMatch(/Tests\s+5 passed \(5\)/);
    expect(run.code).toBe(0);
  });
});
