import { afterEach, describe, expect, it, vi } from 'vitest';
import { DISPATCH_METRICS } from '../../../contracts/metrics.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { CONVERSATION_ID, sampleCallRecord } from '../testing/call-record.ts';
import { createApp } from './app.ts';
import { CALL_RECORDS_PATH } from './call-records.ts';
import { createDispatchMetrics } from './metrics.ts';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const livekitWebhook = {
  apiKey: 'devkey',
  apiSecret: 'webhook-secret-0123456789',
  deleteRoom: async () => {},
};

async function appWith(webhooks: readonly string[] = ['crm', 'audit']) {
  const store = await openSqliteStore(':memory:');
  const metrics = createDispatchMetrics({ defaultMetrics: false });
  const stored = vi.fn();
  const app = createApp({
    status: () => ({ provisioned: true, lastError: undefined }),
    store,
    apiToken: TOKEN,
    metrics,
    livekitWebhook,
    callRecords: { webhooks, stored },
  });
  const post = (body: unknown, headers: Record<string, string> = auth) =>
    app.request(CALL_RECORDS_PATH, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, headers: Record<string, string> = auth) =>
    app.request(path, { headers });
  const storedTotal = async () => (await metrics.callRecords.get()).values[0]?.value ?? 0;
  return { app, store, metrics, stored, post, get, storedTotal };
}

type Created = { id: string; createdAt: string } & Record<string, unknown>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /v1/calls/records', () => {
  it('stores the record and answers 201 with it, id and createdAt included', async () => {
    const { post, get } = await appWith();
    const body = sampleCallRecord();
    const res = await post(body);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Created;
    expect(created).toEqual({ ...body, id: expect.any(String), createdAt: expect.any(String) });
    const fetched = await get(`/v1/calls/${created.id}`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(created);
  });

  it('queues one webhook delivery per configured webhook, counts it and wakes the outbox', async () => {
    const { post, store, stored, storedTotal, app } = await appWith(['crm', 'audit']);
    const created = (await (await post(sampleCallRecord())).json()) as Created;
    expect((await store.listDeliveries(created.id)).map((d) => [d.webhook, d.status])).toEqual([
      ['audit', 'pending'],
      ['crm', 'pending'],
    ]);
    expect(stored).toHaveBeenCalledTimes(1);
    expect(await storedTotal()).toBe(1);
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain(`${DISPATCH_METRICS.callRecordsTotal} 1`);
  });

  it('fills the defaults of optional lists', async () => {
    const { post } = await appWith();
    const minimal = sampleCallRecord();
    delete minimal.transfers;
    delete minimal.timeline;
    delete minimal.escalationReason;
    const res = await post(minimal);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ transfers: [], timeline: [] });
  });

  it('answers the same record sent again with the stored one, queuing nothing more', async () => {
    const { post, store, stored, storedTotal } = await appWith(['crm']);
    const body = sampleCallRecord({
      timeline: [{ at: '2026-01-05T10:01:00.000Z', event: 'callback to 555 123 4567' }],
    });
    const first = (await (await post(body)).json()) as Created;
    const again = await post(body); // an agent's retry after a timeout, or its spool
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(first);
    expect(await store.listDeliveries(first.id)).toHaveLength(1);
    expect(stored).toHaveBeenCalledTimes(1);
    expect(await storedTotal()).toBe(1);
  });

  it('answers a different record of the same room and job with 409 and the first id', async () => {
    const { post, stored, storedTotal } = await appWith();
    const first = (await (await post(sampleCallRecord())).json()) as Created;
    const again = await post(sampleCallRecord({ outcome: 'failed' }));
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'already_recorded', id: first.id });
    expect(stored).toHaveBeenCalledTimes(1);
    expect(await storedTotal()).toBe(1);
  });

  it.each([
    ['callerNumber', { callerNumber: '+15551234567' }],
    ['transcript', { transcript: [{ role: 'caller', text: 'my card is 4111...' }] }],
  ])('refuses an unknown field (%s) and stores nothing', async (field, extra) => {
    const { post, store } = await appWith();
    const res = await post({ ...sampleCallRecord(), ...extra });
    expect(res.status).toBe(400);
    const payload = (await res.json()) as { error: string; problems: string[] };
    expect(payload.error).toBe('invalid_request');
    expect(payload.problems.join('\n')).toContain(field);
    expect(await store.listCallRecords({ genesysConversationId: CONVERSATION_ID })).toEqual([]);
  });

  it('names each invalid field', async () => {
    const { post } = await appWith();
    const res = await post({
      ...sampleCallRecord(),
      outcome: 'exploded',
      genesysConversationId: 'has spaces',
      endedAt: '2026-01-05T09:00:00.000Z',
      latency: { turns: -1 },
    });
    expect(res.status).toBe(400);
    const problems = ((await res.json()) as { problems: string[] }).problems.join('\n');
    for (const path of ['outcome:', 'genesysConversationId:', 'latency.turns:'])
      expect(problems).toContain(path);
  });

  it('refuses a record that ends before it starts', async () => {
    const { post } = await appWith();
    const res = await post(sampleCallRecord({ endedAt: '2026-01-05T09:59:59.000Z' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      problems: ['endedAt: must not be before startedAt'],
    });
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const { post } = await appWith();
    const bad = await post('{"room":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_json' });
    const big = await post({ ...sampleCallRecord(), padding: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
  });

  it('masks numbers in free-text timeline events', async () => {
    const { post } = await appWith();
    const res = await post(
      sampleCallRecord({
        timeline: [{ at: '2026-01-05T10:01:00.000Z', event: 'callback to 555 123 4567' }],
      }),
    );
    expect(((await res.json()) as { timeline: unknown }).timeline).toEqual([
      { at: '2026-01-05T10:01:00.000Z', event: 'callback to [phone]' },
    ]);
  });

  it('needs the bearer token', async () => {
    const { post, get } = await appWith();
    expect((await post(sampleCallRecord(), {})).status).toBe(401);
    expect((await post(sampleCallRecord(), { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/v1/calls/anything', {})).status).toBe(401);
    expect((await get(`/v1/calls?genesysConversationId=${CONVERSATION_ID}`, {})).status).toBe(401);
  });

  it('answers 500 JSON when the store fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { post, store } = await appWith();
    vi.spyOn(store, 'createCallRecord').mockRejectedValue(new Error('connection terminated'));
    const res = await post(sampleCallRecord());
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal' });
  });
});

describe('GET /v1/calls/:id', () => {
  it('is 404 for an unknown id', async () => {
    const { get } = await appWith();
    const res = await get('/v1/calls/3c1c1a52-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found' });
  });
});

describe('GET /v1/calls?genesysConversationId=', () => {
  it('lists every record of the conversation, oldest start first', async () => {
    const { post, get } = await appWith();
    const second = (await (
      await post(
        sampleCallRecord({
          jobId: 'AJ_2',
          startedAt: '2026-01-05T10:04:00.000Z',
          endedAt: '2026-01-05T10:09:00.000Z',
        }),
      )
    ).json()) as Created;
    const first = (await (await post(sampleCallRecord({ jobId: 'AJ_1' }))).json()) as Created;
    await post(
      sampleCallRecord({
        jobId: 'AJ_3',
        genesysConversationId: '0b0e6c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e',
      }),
    );
    const res = await get(`/v1/calls?genesysConversationId=${CONVERSATION_ID}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ calls: [first, second] });
  });

  it('keeps and finds a record whose conversation id is not a UUID, flagged', async () => {
    const { post, get } = await appWith();
    const odd = 'cnv%2042;x=%C3%A9';
    const res = await post(
      sampleCallRecord({ genesysConversationId: odd, genesysConversationIdProblem: 'not_uuid' }),
    );
    expect(res.status).toBe(201);
    const found = (await (
      await get(`/v1/calls?genesysConversationId=${encodeURIComponent(odd)}`)
    ).json()) as {
      calls: { genesysConversationId: string; genesysConversationIdProblem: string }[];
    };
    expect(found.calls).toHaveLength(1);
    expect(found.calls[0]).toMatchObject({
      genesysConversationId: odd,
      genesysConversationIdProblem: 'not_uuid',
    });
  });

  it('is an empty list for a conversation without records', async () => {
    const { get } = await appWith();
    const res = await get('/v1/calls?genesysConversationId=11111111-2222-4333-8444-555555555555');
    expect(await res.json()).toEqual({ calls: [] });
  });

  it.each([[''], ['?genesysConversationId='], ['?genesysConversationId=a%20b']])(
    'answers 400 naming the query parameter for %j',
    async (query) => {
      const { get } = await appWith();
      const res = await get(`/v1/calls${query}`);
      expect(res.status).toBe(400);
      const payload = (await res.json()) as { error: string; problems: string[] };
      expect(payload.error).toBe('invalid_request');
      expect(payload.problems[0]).toMatch(/^genesysConversationId: /);
    },
  );
});
