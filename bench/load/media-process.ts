/**
 * The caller media process (caller-media.ts) seen from the load driver: started
 * at a raised priority where allowed, spoken to and heard over its IPC
 * channel (messages parsed with zod), its output kept in a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mediaMessageSchema, type CallMediaReport, type DriverMessage } from './media-protocol.ts';

/** Scheduling priority of the caller media process where allowed (root or CAP_SYS_NICE). */
export const MEDIA_PROCESS_NICE = -10;

export type MediaProcess = Readonly<{
  /** The nice value it runs at. */
  nice: number;
  tell: (m: DriverMessage) => void;
  onAnswered: (f: (id: string) => void) => void;
  /** Resolves once `count` reports arrived or the media process exited (or `timeoutMs` passed). */
  reports: (count: number, timeoutMs: number) => Promise<ReadonlyMap<string, CallMediaReport>>;
  kill: () => void;
}>;

/**
 * Starts the media process on a plan file and waits for its `ready`.
 *
 * @throws when it exits or reports a fatal error before it is ready (30 s at most)
 * @example
 * const media = await startMediaProcess(planFile, join(workDir, 'caller-media.log'));
 * media.tell({ type: 'invited', id: 'caller-000' });
 */
export async function startMediaProcess(planFile: string, logFile: string): Promise<MediaProcess> {
  // It stands for the Genesys edge's media, which has hardware of its own: its packets must
  // leave on time however busy the stack under test keeps the machine. nice(1) raises every
  // thread (V8's GC helpers too, which a main thread can wait on) and runs it unchanged where
  // it may not; GC stays on the main thread so no helper thread at any priority can stall it.
  const child: ChildProcess = spawn(
    'nice',
    [
      '-n',
      String(MEDIA_PROCESS_NICE),
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      '--single-threaded-gc',
      fileURLToPath(new URL('./caller-media.ts', import.meta.url)),
      planFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const reports = new Map<string, CallMediaReport>();
  const answeredListeners: ((id: string) => void)[] = [];
  let fatal: string | undefined;
  let exited = false;
  const changed: (() => void)[] = [];
  const notify = () => changed.splice(0).forEach((f) => f());
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (raw) => {
      const parsed = mediaMessageSchema.safeParse(raw);
      if (!parsed.success) {
        log.push(`unparsable message from the media process: ${parsed.error.message}\n`);
        return;
      }
      const m = parsed.data;
      if (m.type === 'ready') resolve();
      else if (m.type === 'answered') answeredListeners.forEach((f) => f(m.id));
      else if (m.type === 'report') reports.set(m.id, m.report);
      else {
        fatal = m.message;
        log.push(`fatal: ${m.message}\n`);
        reject(new Error(`caller media process failed: ${m.message}`));
      }
      notify();
    });
    child.once('exit', (code) => {
      exited = true;
      writeFileSync(logFile, log.join(''));
      reject(new Error(`caller media process exited with ${code}: ${fatal ?? log.join('')}`));
      notify();
    });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await ready.finally(() => clearTimeout(timer));
  let nice = 0;
  try {
    nice = child.pid === undefined ? 0 : getPriority(child.pid);
  } catch {
    // gone already: its exit is reported
  }
  return {
    nice,
    tell: (m) => {
      if (!exited && child.connected) child.send(m);
    },
    onAnswered: (f) => void answeredListeners.push(f),
    reports: async (count, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (reports.size < count && !exited && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          changed.push(resolve);
          setTimeout(resolve, 250);
        });
      }
      return reports;
    },
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
