/**
 * A worker's lease with dispatch: every second the worker's main process
 * renews it, naming the calls its job processes carry (room and agent
 * identity). A pod that dies (its main process and jobs gone at once) stops
 * renewing; when the lease runs out, dispatch removes those agents from
 * their rooms, and LiveKit's participant_left webhook sends a replacement
 * agent (dispatch/src/recovery/). Without it, LiveKit notices a dead agent
 * only when its peer connection times out, about 20 s of silence.
 */
import { z } from 'zod';

/** How long a lease lasts without renewal, and how often the worker renews it. */
export const WORKER_LEASE_TTL_MS = 3000;
export const WORKER_LEASE_RENEW_MS = 1000;

/** PUT renews the lease, DELETE releases it (a worker that stops cleanly). */
export const workerLeasePath = (workerId: string) =>
  `/v1/workers/${encodeURIComponent(workerId)}/lease`;

/** A worker id: the worker picks it at start (a UUID in practice). */
export const workerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const workerLeaseSchema = z
  .object({
    /** How long dispatch keeps the lease without a renewal, in ms. */
    ttlMs: z.number().int().min(500).max(60_000),
    /** Every call the worker carries now. */
    calls: z
      .array(
        z
          .object({ room: z.string().min(1).max(200), identity: z.string().min(1).max(200) })
          .strict(),
      )
      .max(1000),
  })
  .strict();

export type WorkerLease = z.output<typeof workerLeaseSchema>;
