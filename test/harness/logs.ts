/** Reads a component's JSON-lines log (agent, dispatch, livekit) from a stack run. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type LogLine = Readonly<Record<string, unknown> & { msg?: string }>;

export function readJsonLog(runDir: string, file: string): LogLine[] {
  const path = join(runDir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Polls until `predicate` holds or the timeout passes; returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  predicate: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

/** Active jobs the agent worker reports on its health server. */
export async function activeJobs(agentHealthPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${agentHealthPort}/worker`);
  return ((await res.json()) as { active_jobs: number }).active_jobs;
}

/** Waits until the worker reports no active job (every call's job has ended); returns the last count. */
export function waitForIdleWorker(agentHealthPort: number, timeoutMs = 15_000): Promise<number> {
  return waitFor(
    () => activeJobs(agentHealthPort),
    (n) => n === 0,
    timeoutMs,
  );
}
