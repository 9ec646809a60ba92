import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import { createApp } from './app.ts';
import { createDispatchMetrics } from './metrics.ts';

const TOKEN = 'lease-test-token-0123456789';

async function leaseApp() {
  const store = await openSqliteStore(':memory:');
  const app = createApp({
    status: () => ({ provisioned: true, lastError: undefined }),
    store,
    apiToken: TOKEN,
    metrics: createDispatchMetrics({ defaultMetrics: false }),
    livekitWebhook: {
      apiKey: 'devkey',
      apiSecret: 'secret-0123456789',
      deleteRoom: async () => {},
    },
  });
  const send = (method: string, id: string, body?: unknown, token = TOKEN) =>
    app.request(`/v1/workers/${id}/lease`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { store, send };
}

const CALL = { room: 'call-main-_4321_x', identity: 'agent-AJ_1' };

describe('/v1/workers/:id/lease', () => {
  it('renews a lease that then lapses after its ttl, and releases one', async () => {
    const { store, send } = await leaseApp();
    expect((await send('PUT', 'w-1', { ttlMs: 500, calls: [CALL] })).status).toBe(204);
    expect(await store.takeExpiredWorkerLeases(new Date())).toEqual([]);
    expect(await store.takeExpiredWorkerLeases(new Date(Date.now() + 600))).toMatchObject([
      { workerId: 'w-1', calls: [CALL] },
    ]);
    expect((await send('PUT', 'w-2', { ttlMs: 500, calls: [CALL] })).status).toBe(204);
    expect((await send('DELETE', 'w-2')).status).toBe(204);
    expect(await store.takeExpiredWorkerLeases(new Date(Date.now() + 600))).toEqual([]);
  });

  it('refuses a bad worker id, a bad body, and a missing token', async () => {
    const { send } = await leaseApp();
    expect((await send('PUT', 'w%201', { ttlMs: 3000, calls: [] })).status).toBe(400);
    expect((await send('PUT', 'w1', { ttlMs: 10, calls: [] })).status).toBe(400);
    expect((await send('PUT', 'w1', { ttlMs: 3000, calls: [{ room: '' }] })).status).toBe(400);
    expect((await send('PUT', 'w1', { ttlMs: 3000, calls: [] }, 'wrong-token')).status).toBe(401);
  });
});
