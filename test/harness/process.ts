/**
 * A supervised child process of the local stack: output prefixed per line on
 * the console (optional) and written to a log file, its own process group so
 * stopping it also stops whatever it spawned (agent job processes), and a
 * readiness probe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type ProcessSpec = Readonly<{
  name: string;
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** The environment is `env` alone, nothing inherited from the test process (as in a container). */
  cleanEnv?: boolean;
  cwd?: string;
  /** Runs the process as this user and group (the test process must be root to). */
  uid?: number;
  gid?: number;
  logFile: string;
  /** Resolves true once the process serves; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL. */
  stopTimeoutMs?: number;
}>;

const COLORS = [36, 35, 33, 32, 34, 31, 96];
let colorIndex = 0;

export class ManagedProcess {
  readonly spec: ProcessSpec;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  private constructor(spec: ProcessSpec, echo: boolean) {
    this.spec = spec;
    this.#log = createWriteStream(spec.logFile, { flags: 'a' });
    this.#child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.cleanEnv ? { ...spec.env } : { ...process.env, ...spec.env },
      ...(spec.uid !== undefined && { uid: spec.uid }),
      ...(spec.gid !== undefined && { gid: spec.gid }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const color = COLORS[colorIndex++ % COLORS.length];
    const prefix = `\x1b[${color}m${spec.name.padEnd(9)}|\x1b[0m `;
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#log.write(`${line}\n`);
        if (echo) process.stdout.write(`${prefix}${line}\n`);
      });
    }
    this.#exited = new Promise((resolve) => {
      this.#child.once('error', (err) => {
        this.#log.write(`[stack] failed to start: ${err.message}\n`);
        this.#exitCode = -1;
        resolve(-1);
      });
      this.#child.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        resolve(this.#exitCode);
      });
    });
  }

  /** Starts the process and waits until its probe succeeds; throws with the log's tail otherwise. */
  static async start(spec: ProcessSpec, echo = false): Promise<ManagedProcess> {
    const p = new ManagedProcess(spec, echo);
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (p.#exitCode !== undefined) {
        throw new Error(
          `${spec.name} exited with ${p.#exitCode} before it was ready; see ${spec.logFile}`,
        );
      }
      if (await spec.ready().catch(() => false)) return p;
      await sleep(200);
    }
    await p.stop();
    throw new Error(
      `${spec.name} was not ready within ${spec.readyTimeoutMs ?? 30_000} ms; see ${spec.logFile}`,
    );
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** Resolves with the exit code once the process has exited (-1 for a signal). */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (this.#child.pid === undefined || !this.running) return;
    try {
      process.kill(-this.#child.pid, sig);
    } catch {
      // already gone
    }
  }

  /** SIGTERM, then SIGKILL after the grace period (default the spec's); always reaps the group. */
  async stop(graceMs = this.spec.stopTimeoutMs ?? 10_000): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      const timer = sleep(graceMs).then(() => 'timeout' as const);
      if ((await Promise.race([this.#exited, timer])) === 'timeout') {
        this.signal('SIGKILL');
        await this.#exited;
      }
    }
    // The leader may exit before its children: make sure the group is gone.
    if (this.#child.pid !== undefined) {
      try {
        process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        // group already empty
      }
    }
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when an HTTP GET answers with a 2xx status (or one of `alsoAccept`). */
export async function httpOk(url: string, alsoAccept: readonly number[] = []): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok || alsoAccept.includes(res.status);
  } catch {
    return false;
  }
}
