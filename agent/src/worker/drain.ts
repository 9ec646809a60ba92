/**
 * What a worker does on SIGTERM (a rolling deploy, a scale-down): it takes no
 * new call, lets every call it carries end on its own, up to the drain
 * timeout, then closes and exits 143.
 *
 * The framework's own SIGTERM handler (agents-js 1.9 `cli.runApp`) drains the
 * same way, but its drain rejects ("runner not started") whenever a warm job
 * process is still being started, which is most of the time after a call has
 * arrived, and it then closes the worker at once: every call in progress is
 * cut off. So the worker runs without that CLI (worker/run.ts) and drains
 * here. This still calls the framework's `drain()`, which marks the worker
 * full with LiveKit and makes it refuse new jobs before it awaits anything,
 * and then waits on the running jobs itself.
 */
import type { RunningJobInfo } from '@livekit/agents';

/** The part of the framework's AgentServer a drain needs. */
export type DrainingServer = Readonly<{
  drain: (timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
  readonly activeJobs: readonly RunningJobInfo[];
}>;

export type DrainLog = Readonly<{
  info: (fields: Record<string, unknown>, msg: string) => void;
  warn: (fields: Record<string, unknown>, msg: string) => void;
}>;

/**
 * Drains `server` and closes it; resolves with whether every call ended in time.
 *
 * @example
 * const clean = await drainWorker(server, 600_000, log());
 * process.exit(143);
 */
export async function drainWorker(
  server: DrainingServer,
  timeoutMs: number,
  log: DrainLog,
  pollMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  log.info({ calls: server.activeJobs.length, timeoutMs }, 'worker draining: taking no new calls');
  // Marks the worker full and refusing jobs before it awaits anything; its own
  // wait on the jobs is what may fail, so the jobs are waited on here as well.
  await server.drain(timeoutMs).catch((err: unknown) => {
    log.warn({ error: String(err) }, 'framework drain did not complete; waiting on the calls');
  });
  while (server.activeJobs.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const left = server.activeJobs.length;
  if (left > 0) log.warn({ calls: left }, 'drain timed out; closing the worker with calls up');
  else log.info({}, 'worker drained: every call ended');
  await server.close();
  return left === 0;
}
