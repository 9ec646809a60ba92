/**
 * The worker's side of its lease with dispatch (contracts/worker-lease.ts):
 * renewed every second with the calls the worker carries, released when the
 * worker has drained. A renewal that fails is logged once per outage; the
 * next one carries on.
 */
import {
  WORKER_LEASE_RENEW_MS,
  WORKER_LEASE_TTL_MS,
  workerLeasePath,
  type WorkerLease,
} from '../../../contracts/worker-lease.ts';
import type { RunningCall } from './running-calls.ts';

export type LeaseLog = Readonly<{
  info: (fields: Record<string, unknown>, msg: string) => void;
  warn: (fields: Record<string, unknown>, msg: string) => void;
}>;

export type WorkerLeaseClient = Readonly<{
  renew: (lease: WorkerLease) => Promise<void>;
  release: () => Promise<void>;
}>;

/**
 * @example
 * const lease = createWorkerLease(dispatchLeaseClient(dispatch, randomUUID()), () => log());
 * setInterval(() => lease.renew(runningCalls(server.activeJobs)), WORKER_LEASE_RENEW_MS);
 */
export function createWorkerLease(client: WorkerLeaseClient, log: () => LeaseLog) {
  let inFlight = false;
  let failing = false;
  return Object.freeze({
    renew: (calls: readonly RunningCall[]): void => {
      if (inFlight) return;
      inFlight = true;
      client
        .renew({
          ttlMs: WORKER_LEASE_TTL_MS,
          calls: calls.map(({ room, identity }) => ({ room, identity })),
        })
        .then(
          () => {
            if (failing) log().info({}, 'worker lease renewed again');
            failing = false;
          },
          (err: unknown) => {
            if (!failing)
              log().warn(
                { error: String(err) },
                'worker lease not renewed; dispatch cannot tell if this worker dies',
              );
            failing = true;
          },
        )
        .finally(() => (inFlight = false));
    },
    release: () => client.release().catch(() => undefined),
  });
}

/**
 * The lease calls over dispatch's HTTP API (one attempt each: the next
 * renewal is a second away).
 *
 * @example
 * const client = dispatchLeaseClient({ url: 'http://dispatch:8080', token }, randomUUID());
 */
export function dispatchLeaseClient(
  dispatch: Readonly<{ url: string; token: string }>,
  workerId: string,
): WorkerLeaseClient {
  const url = `${dispatch.url.replace(/\/$/, '')}${workerLeasePath(workerId)}`;
  const send = async (method: 'PUT' | 'DELETE', body?: WorkerLease) => {
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${dispatch.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(WORKER_LEASE_RENEW_MS),
    });
    if (res.status !== 204) throw new Error(`dispatch answered ${res.status}: ${await res.text()}`);
  };
  return { renew: (lease) => send('PUT', lease), release: () => send('DELETE') };
}
