import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../store/sqlite.ts';
import { createApp } from './app.ts';
import { createDispatchMetrics } from './metrics.ts';

type Status = { provisioned: boolean; lastError: string | undefined };
const TOKEN = 'test-token-0123456789';
const livekitWebhook = {
  apiKey: 'devkey',
  apiSecret: 'webhook-secret-0123456789',
  deleteRoom: async () => {},
};

async function appWith(
  initial: Status,
  options: { apiToken?: string | undefined } = { apiToken: TOKEN },
) {
  const apiToken = options.apiToken;
  const state: Status = { ...initial };
  const store = await openSqliteStore(':memory:');
  const metrics = createDispatchMetrics({ defaultMetrics: false });
  return {
    app: createApp({ status: () => state, store, apiToken, metrics, livekitWebhook }),
    state,
    store,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /healthz', () => {
  it('is 200 even before provisioning', async () => {
    const { app } = await appWith({ provisioned: false, lastError: 'connect ECONNREFUSED' });
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('is 503 with reason "provisioning" before the first reconcile', async () => {
    const { app } = await appWith({ provisioned: false, lastError: undefined });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', reason: 'provisioning' });
  });

  it('is 503 with the last error as reason', async () => {
    const { app } = await appWith({
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
    const { app, state } = await appWith({ provisioned: false, lastError: undefined });
    expect((await app.request('/readyz')).status).toBe(503);
    state.provisioned = true;
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('is 500 JSON when the status callback throws', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = createApp({
      status: () => {
        throw new Error('status unavailable');
      },
      store: await openSqliteStore(':memory:'),
      apiToken: TOKEN,
      metrics: createDispatchMetrics({ defaultMetrics: false }),
      livekitWebhook,
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
      const { app } = await appWith({ provisioned: true, lastError: undefined });
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: 'not_found' });
    },
  );

  it('answers 404 JSON for a method the route does not serve', async () => {
    const { app } = await appWith({ provisioned: true, lastError: undefined });
    const res = await app.request('/healthz', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found' });
  });
});

describe('/v1/callbacks', () => {
  const ready = { provisioned: true, lastError: undefined };
  const body = {
    number: '+15551234567',
    issueType: 'billing',
    notes: 'disputes a late fee',
    route: 'after-hours',
    persona: 'after-hours',
    genesysConversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  };
  const post = (app: Awaited<ReturnType<typeof appWith>>['app'], payload: unknown, token = TOKEN) =>
    app.request('/v1/callbacks', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('stores a callback request and returns it by id', async () => {
    const { app } = await appWith(ready);
    const res = await post(app, body);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; status: string; createdAt: string };
    expect(created).toMatchObject({ ...body, status: 'pending' });
    const fetched = await app.request(`/v1/callbacks/${created.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(created);
  });

  it('keeps the callback number but redacts the free-text notes', async () => {
    const { app, store } = await appWith(ready);
    const res = await post(app, {
      ...body,
      notes: 'card 4111-1111-1111-1111 declined; alt number 555 123 4567 after 2 attempts',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; number: string; notes: string };
    const expected = {
      number: '+15551234567',
      notes: 'card [card] declined; alt number [phone] after 2 attempts',
    };
    expect(created).toMatchObject(expected);
    const fetched = await app.request(`/v1/callbacks/${created.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await fetched.json()).toMatchObject(expected);
    expect(await store.getCallback(created.id)).toMatchObject(expected);
  });

  it('stores a callback without notes', async () => {
    const { app, store } = await appWith(ready);
    const res = await post(app, { ...body, notes: undefined }); // JSON drops undefined
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string };
    expect(created).not.toHaveProperty('notes');
    expect((await store.getCallback(created.id))?.notes).toBeUndefined();
  });

  it('refuses a request without the right token and stores nothing', async () => {
    const { app, store } = await appWith(ready);
    expect((await post(app, body, 'wrong-token-0123456789')).status).toBe(401);
    const noAuth = await app.request('/v1/callbacks', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(noAuth.status).toBe(401);
    expect(await store.getCallback('anything')).toBeUndefined();
  });

  it('refuses every /v1 request when no token is configured', async () => {
    const { app } = await appWith(ready, {});
    const res = await post(app, body);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'api_token_not_configured' });
  });

  it('names each invalid field', async () => {
    const { app } = await appWith(ready);
    const res = await post(app, { ...body, number: 'call me', issueType: 'Billing!', extra: 1 });
    expect(res.status).toBe(400);
    const payload = (await res.json()) as { error: string; problems: string[] };
    expect(payload.error).toBe('invalid_request');
    expect(payload.problems.join('\n')).toMatch(/number:/);
    expect(payload.problems.join('\n')).toMatch(/issueType:/);
  });

  it('answers malformed JSON with 400', async () => {
    const { app } = await appWith(ready);
    const res = await post(app, '{not json');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_json' });
  });

  it('is 404 for an unknown id', async () => {
    const { app } = await appWith(ready);
    const res = await app.request('/v1/callbacks/nope', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('/v1/context', () => {
  const ready = { provisioned: true, lastError: undefined };
  const record = {
    reason: 'dtmf_zero',
    queue: 'general',
    route: 'main',
    persona: 'triage',
    summary: 'Caller asks about a late fee',
    fields: { account: '12345' },
    transcript: [
      { role: 'agent', text: 'Thank you for calling.' },
      { role: 'caller', text: 'I have a question about my bill.' },
    ],
    genesysConversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  };
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  it('stores a record and serves it to the screen pop by id', async () => {
    const { app } = await appWith(ready);
    const created = await app.request('/v1/context', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(record),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const fetched = await app.request(`/v1/context/${id}`, { headers: auth });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({
      ...record,
      fields: { account: '[redacted]' },
      id,
    });
  });

  it('masks a card and a phone number in the transcript before storing it', async () => {
    const { app, store } = await appWith(ready);
    const created = await app.request('/v1/context', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        ...record,
        transcript: [
          { role: 'agent', text: 'What card would you like to use?' },
          { role: 'caller', text: 'It is 4111 1111 1111 1111, and call me on (555) 123-4567.' },
          { role: 'agent', text: 'I will call you back on 555-123-4567.' },
          { role: 'caller', text: 'My pin is one two three four, 2 tries left.' },
        ],
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const masked = [
      { role: 'agent', text: 'What card would you like to use?' },
      { role: 'caller', text: 'It is [card], and call me on [phone].' },
      { role: 'agent', text: 'I will call you back on [phone].' },
      { role: 'caller', text: 'My pin is [number] tries left.' },
    ];
    const fetched = await app.request(`/v1/context/${id}`, { headers: auth });
    expect(fetched.status).toBe(200);
    const served = (await fetched.json()) as { transcript: unknown };
    expect(served.transcript).toEqual(masked);
    expect(JSON.stringify(served)).not.toMatch(/4111|123-4567/);
    expect((await store.getContext(id))?.transcript).toEqual(masked);
  });

  it('redacts the summary and the collected fields', async () => {
    const { app } = await appWith(ready);
    const created = await app.request('/v1/context', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        ...record,
        summary: 'Wants a refund to jo@example.com for order 99812',
        fields: {
          account: '12345',
          callbackNumber: '+15551234567',
          intent: 'billing',
          note: 'card ends 4242 and 2 items',
        },
      }),
    });
    const { id } = (await created.json()) as { id: string };
    const fetched = await app.request(`/v1/context/${id}`, { headers: auth });
    expect(await fetched.json()).toMatchObject({
      summary: 'Wants a refund to [email] for order [number]',
      fields: {
        account: '[redacted]',
        callbackNumber: '[redacted]',
        intent: 'billing',
        note: 'card ends [number] and 2 items',
      },
    });
  });

  it('refuses a transcript entry with an unknown role and names it', async () => {
    const { app } = await appWith(ready);
    const res = await app.request('/v1/context', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ ...record, transcript: [{ role: 'system', text: 'x' }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { problems: string[] }).problems.join()).toMatch(
      /transcript\.0\.role/,
    );
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const { app } = await appWith(ready);
    const res = await app.request('/v1/context', { method: 'POST', headers: auth, body: '{' });
    expect(await res.json()).toEqual({ error: 'invalid_json' });
  });

  it('needs the token to read a record', async () => {
    const { app } = await appWith(ready);
    expect((await app.request('/v1/context/anything')).status).toBe(401);
  });
});
