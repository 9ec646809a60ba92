import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildJobBundle,
  jobCode,
  JobBundleError,
  useJobBundle,
  type JobBundle,
} from './job-bundle.ts';

const agentFile = fileURLToPath(new URL('../agent.ts', import.meta.url));
const frameworkJobMain = new URL(
  './ipc/job_proc_lazy_main.js',
  import.meta.resolve('@livekit/agents'),
).href;

let root: string;
let bundle: JobBundle;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'job-bundle-'));
  bundle = await buildJobBundle(agentFile, join(root, 'job-bundle'));
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What an agent module's import loaded: its exports' kinds, framework files and all files. */
type Loaded = { entry: string; prewarm: string; framework: number; files: number };

/** Imports `agentUrl` in a fresh Node started with `args`, as a job process: what loaded. */
function loads(agentUrl: string, args: readonly string[]): Loaded {
  const code = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const agent = (await import(${JSON.stringify(agentUrl)})).default;
    console.log(JSON.stringify({
      entry: typeof agent.entry, prewarm: typeof agent.prewarm,
      framework: loaded.filter((u) => u.includes('/node_modules/@livekit/agents/')).length,
      files: loaded.filter((u) => u.startsWith('file:')).length,
    }));`;
  return JSON.parse(run(args, code)) as Loaded;
}

function run(args: readonly string[], code: string): string {
  return execFileSync(process.execPath, [...args, '--input-type=module', '-e', code], {
    cwd: bundle.dir,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('the job processes’ bundle', () => {
  it('holds the agent, the job main, the hook, the VAD model and a link to node_modules', () => {
    for (const file of [
      'agent.js',
      'job_proc_lazy_main.js',
      'job-entry-hook.js',
      'silero_vad.onnx',
    ])
      expect(existsSync(join(bundle.dir, file)), file).toBe(true);
    expect(lstatSync(join(bundle.dir, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(statSync(bundle.dir).mode & 0o777).toBe(0o700);
  });

  it('is named by its content: an unchanged build reuses the directory', async () => {
    const written = statSync(bundle.agent).mtimeMs;
    const again = await buildJobBundle(agentFile, join(root, 'job-bundle'));
    expect(again.dir).toBe(bundle.dir);
    expect(statSync(again.agent).mtimeMs).toBe(written);
  }, 60_000);

  it('makes a job process load the bundled job main in place of the framework’s', () => {
    const resolved = run(
      [`--import=${pathToFileURL(bundle.hook).href}`],
      `console.log(import.meta.resolve(${JSON.stringify(frameworkJobMain)}))`,
    );
    expect(resolved.trim()).toBe(pathToFileURL(join(bundle.dir, 'job_proc_lazy_main.js')).href);
  });

  it('bundles the framework with the agent: nothing of @livekit/agents loads from node_modules, and a fraction of the files', () => {
    const bundled = loads(pathToFileURL(bundle.agent).href, [
      `--import=${pathToFileURL(bundle.hook).href}`,
    ]);
    const source = loads(pathToFileURL(agentFile).href, []);
    expect(bundled).toMatchObject({ entry: 'function', prewarm: 'function', framework: 0 });
    expect(source.framework).toBeGreaterThan(100);
    // Only the packages left outside (native code, the logger) load from node_modules.
    expect(bundled.files).toBeLessThan(source.files / 4);
  });

  it('reads its bundled source: the agent file is the one built from this checkout', () => {
    expect(readFileSync(bundle.agent, 'utf8')).toContain('loadDictionaryWords');
  });

  it('fails with a JobBundleError when the agent cannot be built', async () => {
    await expect(
      buildJobBundle(join(root, 'missing.ts'), join(root, 'job-bundle')),
    ).rejects.toBeInstanceOf(JobBundleError);
  });

  it('hands the hook to the job processes the worker forks from now on', () => {
    const execArgv = ['--cpu-prof'];
    useJobBundle(bundle, execArgv);
    expect(execArgv).toEqual(['--cpu-prof', `--import=${bundle.hook}`]);
  });

  it('leaves the job processes on the source when the bundle is off or cannot be built, so the worker still starts', async () => {
    expect(await jobCode(agentFile, undefined)).toEqual({
      kind: 'source',
      agent: agentFile,
      why: 'AGENT_JOB_BUNDLE=off',
    });
    const missing = join(root, 'missing.ts');
    const code = await jobCode(missing, join(root, 'job-bundle'));
    expect(code).toMatchObject({ kind: 'source', agent: missing });
    expect(code.kind === 'source' && code.why).toMatch(/job processes not bundled/);
  });
});
