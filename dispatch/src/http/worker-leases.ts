/**
 * The agent workers' leases (contracts/worker-lease.ts):
 *   PUT    /v1/workers/:id/lease  renews it with the calls the worker carries (204)
 *   DELETE /v1/workers/:id/lease  releases it, once the worker has drained (204)
 * dispatch/src/recovery/dead-workers.ts acts on the leases that lapse.
 */
import type { Hono } from 'hono';
import { workerIdSchema, workerLeaseSchema } from '../../../contracts/worker-lease.ts';
import type { Store } from '../store/store.ts';
import { bodyLimit, invalidRequest, jsonBody } from './json-body.ts';

/** 1,000 calls of 200-character room and identity, with room to spare. */
const LEASE_MAX_BYTES = 512 * 1024;

/**
 * Adds the lease routes to `app` (whose /v1 auth middleware must already be in place).
 *
 * @example
 * registerWorkerLeaseRoutes(app, { store });
 * await app.request('/v1/workers/w1/lease', { method: 'PUT', headers, body: '{"ttlMs":3000,"calls":[]}' }); // 204
 */
export function registerWorkerLeaseRoutes(
  app: Hono,
  deps: Readonly<{ store: Pick<Store, 'renewWorkerLease' | 'releaseWorkerLease'> }>,
): void {
  app.put('/v1/workers/:id/lease', bodyLimit(LEASE_MAX_BYTES), async (c) => {
    const id = workerIdSchema.safeParse(c.req.param('id'));
    if (!id.success) return invalidRequest(c, id.error);
    const lease = await jsonBody(c, workerLeaseSchema);
    if (lease instanceof Response) return lease;
    await deps.store.renewWorkerLease(id.data, lease.calls, new Date(Date.now() + lease.ttlMs));
    return c.body(null, 204);
  });
  app.delete('/v1/workers/:id/lease', async (c) => {
    const id = workerIdSchema.safeParse(c.req.param('id'));
    if (!id.success) return invalidRequest(c, id.error);
    await deps.store.releaseWorkerLease(id.data);
    return c.body(null, 204);
  });
}
