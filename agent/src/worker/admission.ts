/**
 * The worker's hard cap on calls, decided per job request. The framework
 * reports the worker's load to livekit-server every 2.5 s, and livekit-server
 * keeps offering jobs to a worker it last saw with room: offered a burst at
 * 2 callers a second, a 2-core worker with room for 4 took 6 (`make bench`,
 * `ours-admission`, 2026-12-02), and every call on it slowed. Here each call
 * counts from the moment its job is accepted, so the request past capacity
 * is refused at once and livekit-server offers it to another worker; with
 * none, the call is refused or handed to the queue at the ring timeout
 * (dispatch's admission).
 */
import type { JobRequest } from '@livekit/agents';

/**
 * How long an accepted job counts before it shows as running. Launching on
 * a warm process takes milliseconds; a cold start on a loaded host a few
 * seconds, and a launch that failed never shows.
 */
export const ACCEPTED_COUNT_MS = 15_000;

export type JobAdmission = Readonly<{
  /** The worker's `requestFunc`. */
  request: (req: Pick<JobRequest, 'id' | 'accept' | 'reject'>) => Promise<void>;
  /** Calls the worker holds: running jobs and accepted ones not running yet. */
  calls: () => number;
}>;

/**
 * @example
 * const admission = createJobAdmission({ maxCalls: 4, running: () => server.activeJobs.map((j) => j.job.id) });
 * new ServerOptions({ requestFunc: admission.request, ... });
 */
export function createJobAdmission(opts: {
  maxCalls: number;
  /** Ids of the jobs running now. */
  running: () => readonly string[];
  /** Told of each refused request. */
  refused?: (jobId: string, calls: number) => void;
  now?: () => number;
}): JobAdmission {
  const now = opts.now ?? Date.now;
  const accepted = new Map<string, number>();
  const calls = () => {
    const running = new Set(opts.running());
    for (const [id, at] of accepted)
      if (running.has(id) || now() - at > ACCEPTED_COUNT_MS) accepted.delete(id);
    return running.size + accepted.size;
  };
  return Object.freeze({
    calls,
    request: async (req) => {
      const held = calls();
      if (held >= opts.maxCalls) {
        opts.refused?.(req.id, held);
        await req.reject();
        return;
      }
      accepted.set(req.id, now());
      await req.accept();
    },
  });
}
