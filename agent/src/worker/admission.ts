/**
 * The worker's hard cap on calls, decided per job request. The framework
 * reports the worker's load to livekit-server every 2.5 s, and livekit-server
 * keeps offering jobs to a worker it last saw with room: offered a burst at
 * 2 callers a second, a 2-core worker with room for 4 took 6 (`make bench`,
 * `ours-admission`, 2026-12-02), and every call on it slowed. Here each call
 * counts from the moment its job is accepted.
 *
 * A request past capacity is held, oldest first, while a call may still end
 * and free its place (a caller who hung up while ringing leaves a job that
 * ends within a couple of seconds), then refused: livekit-server offers it
 * once to each worker and never again, so a request refused at once is a
 * caller who gets no agent even when a place frees a moment later. A held
 * request given a place is accepted only if its caller is still in the room:
 * in a burst many callers give up while they ring, and a place given to one
 * who left is one a caller still ringing does not get. The hold
 * stays under livekit-server's job request timeout (3 s, shared by every
 * worker the request is offered to); a refused request goes to the next
 * worker, and with none the call is refused or handed to the queue at the
 * ring timeout (dispatch's admission). A worker whose CPU guard reads its
 * limit counts as full whatever its calls.
 */
import type { JobRequest } from '@livekit/agents';

/**
 * How long an accepted job counts before it shows as running. Launching on
 * a warm process takes milliseconds; a cold start on a loaded host a few
 * seconds, and a launch that failed never shows.
 */
export const ACCEPTED_COUNT_MS = 15_000;

/** livekit-server gives a job request this long across all the workers it tries (psrpc's default). */
export const JOB_REQUEST_TIMEOUT_MS = 3000;

/** How long a held request's look at its room may take (the `callerPresent` a worker gives). */
export const ROOM_LOOKUP_TIMEOUT_MS = 500;

/** The longest hold: with the room lookup after it, inside the job request timeout. */
export const MAX_HOLD_MS = JOB_REQUEST_TIMEOUT_MS - ROOM_LOOKUP_TIMEOUT_MS;

/** How often a held request looks for a free place. */
export const HOLD_POLL_MS = 100;

/** What the admission reads of a job request. */
export type AdmissionRequest = Pick<JobRequest, 'id' | 'accept' | 'reject'> &
  Readonly<{ room: Readonly<{ name: string }> | undefined }>;

export type JobAdmission = Readonly<{
  /** The worker's `requestFunc`. */
  request: (req: AdmissionRequest) => Promise<void>;
  /** Calls the worker holds: running jobs and accepted ones not running yet. */
  calls: () => number;
}>;

/** Why a request was not accepted. */
export type Refusal = 'full' | 'caller_left';

type Held = Readonly<{
  id: string;
  since: number;
  settle: (place: boolean) => void;
}>;

/**
 * @example
 * const admission = createJobAdmission({
 *   maxCalls: 4,
 *   holdMs: 2000,
 *   running: () => server.activeJobs.map((j) => j.job.id),
 *   callerPresent: async (room) => (await rooms.listParticipants(room)).some((p) => p.kind === ParticipantInfo_Kind.SIP),
 * });
 * new ServerOptions({ requestFunc: admission.request, ... });
 */
export function createJobAdmission(opts: {
  maxCalls: number;
  /** How long a request past capacity waits for a place (0: refused at once). */
  holdMs: number;
  /** Ids of the jobs running now. */
  running: () => readonly string[];
  /**
   * Whether the room's caller is still there, asked before a held request
   * takes the place it was given; one that cannot tell answers true.
   */
  callerPresent?: (room: string) => Promise<boolean>;
  /**
   * Whether the worker's CPU is at its guard's limit (capacity.ts `workerLoad`):
   * a request then waits as at `maxCalls`. Between two load reports livekit-server
   * keeps offering calls to a worker whose calls already use its cores.
   */
  cpuFull?: () => boolean;
  /** Told of each refused request: why, the calls held then, and how long it waited. */
  refused?: (jobId: string, why: Refusal, calls: number, waitedMs: number) => void;
  now?: () => number;
}): JobAdmission {
  const now = opts.now ?? Date.now;
  const accepted = new Map<string, number>();
  const waiting: Held[] = [];
  let timer: NodeJS.Timeout | undefined;

  const calls = () => {
    const running = new Set(opts.running());
    for (const [id, at] of accepted)
      if (running.has(id) || now() - at > ACCEPTED_COUNT_MS) accepted.delete(id);
    return running.size + accepted.size;
  };
  const take = (id: string) => {
    if (calls() >= opts.maxCalls || opts.cpuFull?.() === true) return false;
    accepted.set(id, now());
    return true;
  };
  const callerPresent = async (room: string) => {
    try {
      return (await opts.callerPresent?.(room)) ?? true;
    } catch {
      return true; // unknown: the caller keeps the place
    }
  };
  // One timer for every held request: the oldest takes the first free place.
  const poll = () => {
    timer = undefined;
    while (waiting[0] && take(waiting[0].id)) waiting.shift()?.settle(true);
    for (const h of [...waiting])
      if (now() - h.since >= opts.holdMs) {
        waiting.splice(waiting.indexOf(h), 1);
        h.settle(false);
      }
    if (waiting.length > 0) timer = setTimeout(poll, HOLD_POLL_MS);
  };

  return Object.freeze({
    calls,
    request: async (req) => {
      const since = now();
      if (waiting.length === 0 && take(req.id)) return req.accept();
      const place =
        opts.holdMs > 0 &&
        (await new Promise<boolean>((settle) => {
          waiting.push({ id: req.id, since, settle });
          timer ??= setTimeout(poll, HOLD_POLL_MS);
        }));
      // The place stays taken while the room is looked at, so no one overtakes it.
      const room = req.room?.name;
      const left = place && room !== undefined && !(await callerPresent(room));
      if (place && !left) return req.accept();
      if (left) accepted.delete(req.id);
      opts.refused?.(req.id, left ? 'caller_left' : 'full', calls(), now() - since);
      return req.reject();
    },
  });
}
