/**
 * The job processes' code as one bundle. Every call is a job process the
 * worker forks ahead of time, and a burst of callers is answered only as
 * fast as the pool refills. Loading `@livekit/agents`, the plugins and this
 * agent from node_modules took about 0.55 s of CPU of each start, the
 * compile cache notwithstanding: some two thousand files, and the module
 * loader's resolution, `stat` and `package.json` reads were half of it.
 * From the bundle a job process starts on half the CPU (`make bench`, job
 * start CPU 0.84 s before, 0.41 s after, 2026-12-02) and holds a quarter
 * less memory.
 *
 * The worker builds the bundle at start-up from the installed packages and
 * this source, so it always matches what would run unbundled, and writes it
 * under its private directory by content hash (two workers of one user
 * share it; a restart with unchanged code reuses it and its compile cache).
 * The job processes it forks then start with job-entry-hook.ts, which
 * swaps the framework's job main for the bundled one; the agent file the
 * pool is given is the bundled agent. The framework, its plugins and the
 * agent must come from one bundle: the framework keeps per-process state
 * (the job context, the logger) that a second copy would not see.
 *
 * Packages with native code or files found next to their own source stay
 * outside, loaded from node_modules through a link in the bundle directory.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, symlink, writeFile, copyFile, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_DIR_MODE } from './private-dir.ts';

/** What the worker hands its process pool and its job processes. */
export type JobBundle = Readonly<{
  dir: string;
  /** The bundled agent module: the pool's `agent` file. */
  agent: string;
  /** The `--import` hook every job process starts with. */
  hook: string;
}>;

/** Loaded from node_modules, not bundled: native addons, and packages that read files beside their code. */
const UNBUNDLED =
  /^(@livekit\/rtc-node|@livekit\/rtc-ffi-bindings[^/]*|onnxruntime-node|onnxruntime-common|@livekit\/local-inference[^/]*|fluent-ffmpeg|@ffmpeg-installer\/[^/]+|pino|pino-pretty|thread-stream|sharp)(\/.*)?$/;

/** Files a bundled package opens relative to its own module, copied next to the bundle. */
const ASSETS = ['@livekit/agents-plugin-silero/dist/silero_vad.onnx'];

/** A build that did not produce a usable bundle; the worker runs the job processes unbundled. */
export class JobBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobBundleError';
  }
}

/**
 * Builds the bundle of `agentFile` for job processes into `<parent>/<content hash>`.
 *
 * @throws JobBundleError when the build fails.
 * @example
 * const bundle = await buildJobBundle(fileURLToPath(new URL('../agent.ts', import.meta.url)), config.files.jobBundle);
 * useJobBundle(bundle);
 */
export async function buildJobBundle(agentFile: string, parent: string): Promise<JobBundle> {
  const modules = nodeModulesOf(fileURLToPath(import.meta.resolve('@livekit/agents')));
  let chunks: { fileName: string; source: string | Uint8Array }[];
  try {
    const { rolldown } = await import('rolldown');
    const build = await rolldown({
      input: {
        agent: agentFile,
        'job-entry-hook': fileURLToPath(new URL('./job-entry-hook.ts', import.meta.url)),
        job_proc_lazy_main: join(modules, '@livekit/agents/dist/ipc/job_proc_lazy_main.js'),
      },
      platform: 'node',
      external: (id) => UNBUNDLED.test(id),
      logLevel: 'silent',
    });
    const { output } = await build.generate({
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      sourcemap: true,
    });
    await build.close();
    chunks = output.map((o) => ({
      fileName: o.fileName,
      source: o.type === 'chunk' ? o.code : o.source,
    }));
  } catch (err) {
    throw new JobBundleError(`job processes not bundled: ${(err as Error).message}`);
  }
  const hash = createHash('sha256').update(modules);
  for (const c of chunks) hash.update(c.fileName).update(c.source);
  const dir = join(parent, hash.digest('hex').slice(0, 16));
  if (!(await exists(join(dir, 'agent.js')))) await write(dir, chunks, modules);
  return Object.freeze({
    dir,
    agent: join(dir, 'agent.js'),
    hook: join(dir, 'job-entry-hook.js'),
  });
}

/** How the job processes will load their code, for the worker's start-up log. */
export type JobCode =
  | Readonly<{ kind: 'bundled'; agent: string; dir: string; buildMs: number }>
  | Readonly<{ kind: 'source'; agent: string; why: string }>;

/**
 * The agent file for the process pool: the bundle's (built, and handed to
 * the job processes) when `parent` is set, else, or when the build fails,
 * `agentFile` itself, so a worker always starts.
 *
 * @example
 * const code = await jobCode(fileURLToPath(new URL('./agent.ts', import.meta.url)), config.files.jobBundle);
 * new ServerOptions({ agent: code.agent, ... });
 */
export async function jobCode(agentFile: string, parent: string | undefined): Promise<JobCode> {
  if (!parent) return { kind: 'source', agent: agentFile, why: 'AGENT_JOB_BUNDLE=off' };
  const started = Date.now();
  try {
    const bundle = await buildJobBundle(agentFile, parent);
    useJobBundle(bundle);
    return { kind: 'bundled', agent: bundle.agent, dir: bundle.dir, buildMs: Date.now() - started };
  } catch (err) {
    if (!(err instanceof JobBundleError)) throw err;
    return { kind: 'source', agent: agentFile, why: err.message };
  }
}

/**
 * Makes the job processes forked from now on run `bundle`: they inherit
 * this process's `execArgv` (the framework forks them with Node's default).
 */
export function useJobBundle(bundle: JobBundle, execArgv: string[] = process.execArgv): void {
  execArgv.push(`--import=${bundle.hook}`);
}

/** Writes the bundle into a directory of its own, then moves it into place whole. */
async function write(
  dir: string,
  chunks: readonly { fileName: string; source: string | Uint8Array }[],
  modules: string,
): Promise<void> {
  const building = `${dir}.${process.pid}.building`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const c of chunks) await writeFile(join(building, c.fileName), c.source, { mode: 0o600 });
  for (const asset of ASSETS) {
    const from = join(modules, asset);
    await copyFile(from, join(building, asset.split('/').at(-1) ?? asset));
  }
  // Bare imports of the unbundled packages resolve from here.
  await symlink(modules, join(building, 'node_modules'), 'dir');
  try {
    await rename(building, dir);
  } catch (err) {
    // Another worker of this user built the same bundle first: use theirs.
    await rm(building, { recursive: true, force: true });
    if (!(await exists(join(dir, 'agent.js'))))
      throw new JobBundleError(`job bundle not written: ${(err as Error).message}`);
  }
  await pruneBuilding(dirname(dir));
}

/** Removes what a worker that died mid-build left. */
async function pruneBuilding(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [])) {
    const pid = /\.(\d+)\.building$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) await rm(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The node_modules directory holding `file`. */
function nodeModulesOf(file: string): string {
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) throw new JobBundleError(`${file} is not inside a node_modules directory`);
  return file.slice(0, at + `${sep}node_modules`.length);
}
