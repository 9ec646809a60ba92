import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';

type Status = { provisioned: boolean; lastError: string | undefined };

function appWith(initial: Status) {
  const state: Status = { ...initial };
  return { app: createApp(() => state), state };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /healthz', () => {
  it('is 200 even before provisioning', async () => {
    const { app } = appWith({ provisioned: false, lastError: 'connect ECONNREFUSED' });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('is 503 with reason "provisioning" before the first reconcile', async () => {
    const { app } = appWith({ provisioned: false, lastError: undefined });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', reason: 'provisioning' });
  });

  it('is 503 with the last error as reason', async () => {
    const { app } = appWith({
      provisioned: false,
      lastError: 'twirp error unknown: connect ECONNREFUSED 127.0.0.1:7880',
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not_ready',
      reason: 'twirp error unknown: connect ECONNREFUSED 127.0.0.1:7880',
    });
  });

  it('becomes 200 once provisioned, reading the status on every request', async () => {
    const { app, state } = appWith({ provisioned: false, lastError: undefined });
    expect((await app.request('/readyz')).status).toBe(503);
    state.provisioned = true;
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('is 500 JSON when the status callback throws', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = createApp(() => {
      throw new Error('status unavailable');
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal' });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toEqual({
      level: 'error',
      msg: 'unhandled HTTP error',
      error: 'status unavailable',
    });
  });
});

describe('unknown routes', () => {
  it.each([['/'], ['/nope'], ['/healthz/extra'], ['/ready']])(
    'GET %s is 404 JSON',
    async (path) => {
      const { app } = appWith({ provisioned: true, lastError: undefined });
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: 'not_found' });
    },
  );

  it('answers 404 JSON for a method the route does not serve', async () => {
    const { app } = appWith({ provisioned: true, lastError: undefined });
    const res = await app.request('/healthz', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found' });
  });
});
