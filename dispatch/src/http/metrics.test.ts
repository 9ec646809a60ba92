import { describe, expect, it, vi } from 'vitest';
import { DISPATCH_METRICS } from '../../../contracts/metrics.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { createApp } from './app.ts';
import { createDispatchMetrics, UNMATCHED_ROUTE } from './metrics.ts';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const livekitWebhook = {
  apiKey: 'devkey',
  apiSecret: 'webhook-secret-0123456789',
  deleteRoom: async () => {},
};

async function appWithMetrics(options: { defaultMetrics?: boolean } = { defaultMetrics: false }) {
  const metrics = createDispatchMetrics(options);
  const app = createApp({
    status: () => ({ provisioned: true, lastError: undefined }),
    store: await openSqliteStore(':memory:'),
    apiToken: TOKEN,
    metrics,
    livekitWebhook,
  });
  const scrape = async () => {
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    return res.text();
  };
  return { app, metrics, scrape };
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.length === have.length && wanted.every((w) => have.includes(w))) {
      return Number(match[3]);
    }
  }
  return undefined;
}

const callback = {
  number: '+15551234567',
  issueType: 'billing',
  route: 'after-hours',
  persona: 'after-hours',
};
const contextRecord = {
  reason: 'dtmf_zero',
  queue: 'general',
  route: 'main',
  persona: 'triage',
  fields: {},
  transcript: [{ role: 'caller', text: 'A person, please.' }],
};

describe('GET /metrics', () => {
  it('serves the Prometheus text format without a token', async () => {
    const { app } = await appWithMetrics();
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of Object.values(DISPATCH_METRICS)) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(sample(text, DISPATCH_METRICS.provisioned)).toBe(0);
    for (const result of ['applied', 'unchanged', 'failed']) {
      expect(sample(text, DISPATCH_METRICS.reconcilesTotal, { result })).toBe(0);
    }
  });

  it('includes the process metrics with the gva_dispatch_ prefix', async () => {
    const { scrape } = await appWithMetrics({});
    const text = await scrape();
    expect(text).toContain('# TYPE gva_dispatch_process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE gva_dispatch_nodejs_heap_size_used_bytes gauge');
    expect(text).not.toMatch(/^process_cpu_seconds_total/m);
  });

  it('keeps each app on its own registry', async () => {
    const first = await appWithMetrics();
    const second = await appWithMetrics();
    await first.app.request('/healthz');
    const labels = { method: 'GET', route: '/healthz', status: '200' };
    expect(sample(await first.scrape(), DISPATCH_METRICS.httpRequestsTotal, labels)).toBe(1);
    expect(sample(await second.scrape(), DISPATCH_METRICS.httpRequestsTotal, labels)).toBe(
      undefined,
    );
  });
});

describe('HTTP request metrics', () => {
  it('labels requests with the route template, method and status', async () => {
    const { app, scrape } = await appWithMetrics();
    await app.request('/healthz');
    await app.request('/healthz');
    await app.request('/readyz');
    const text = await scrape();
    const total = DISPATCH_METRICS.httpRequestsTotal;
    expect(sample(text, total, { method: 'GET', route: '/healthz', status: '200' })).toBe(2);
    expect(sample(text, total, { method: 'GET', route: '/readyz', status: '200' })).toBe(1);
    const count = `${DISPATCH_METRICS.httpRequestSeconds}_count`;
    expect(sample(text, count, { method: 'GET', route: '/healthz' })).toBe(2);
    expect(
      sample(text, `${DISPATCH_METRICS.httpRequestSeconds}_bucket`, {
        method: 'GET',
        route: '/healthz',
        le: '+Inf',
      }),
    ).toBe(2);
  });

  it('never puts an id or a raw path in a label', async () => {
    const { app, scrape } = await appWithMetrics();
    const id = 'ctx-7f3a9c1e-secret-looking-id';
    expect((await app.request(`/v1/context/${id}`, { headers: auth })).status).toBe(404);
    expect((await app.request(`/v1/callbacks/${id}`)).status).toBe(401);
    expect((await app.request(`/no/such/${id}`)).status).toBe(404);
    expect((await app.request(`/v1/nothing/${id}`, { headers: auth })).status).toBe(404);
    const text = await scrape();
    expect(text).not.toContain(id);
    expect(text).not.toContain('/no/such');
    const total = DISPATCH_METRICS.httpRequestsTotal;
    expect(sample(text, total, { method: 'GET', route: '/v1/context/:id', status: '404' })).toBe(1);
    // Refused by the bearer check before the handler: still the handler's template.
    expect(sample(text, total, { method: 'GET', route: '/v1/callbacks/:id', status: '401' })).toBe(
      1,
    );
    expect(sample(text, total, { method: 'GET', route: UNMATCHED_ROUTE, status: '404' })).toBe(2);
  });

  it('counts a method the route does not serve as unmatched', async () => {
    const { app, scrape } = await appWithMetrics();
    await app.request('/healthz', { method: 'POST' });
    const labels = { method: 'POST', route: UNMATCHED_ROUTE, status: '404' };
    expect(sample(await scrape(), DISPATCH_METRICS.httpRequestsTotal, labels)).toBe(1);
  });

  it('counts a handler error as a 500 of its route', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const metrics = createDispatchMetrics({ defaultMetrics: false });
    const app = createApp({
      status: () => {
        throw new Error('status unavailable');
      },
      store: await openSqliteStore(':memory:'),
      apiToken: TOKEN,
      metrics,
      livekitWebhook,
    });
    expect((await app.request('/readyz')).status).toBe(500);
    const labels = { method: 'GET', route: '/readyz', status: '500' };
    expect(
      sample(await metrics.registry.metrics(), DISPATCH_METRICS.httpRequestsTotal, labels),
    ).toBe(1);
    vi.restoreAllMocks();
  });
});

describe('stored records', () => {
  it('counts callbacks stored, not refused ones', async () => {
    const { app, scrape } = await appWithMetrics();
    const post = (body: unknown) =>
      app.request('/v1/callbacks', { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect(sample(await scrape(), DISPATCH_METRICS.callbacksTotal)).toBe(0);
    expect((await post(callback)).status).toBe(201);
    expect((await post(callback)).status).toBe(201);
    expect((await post({ ...callback, number: 'call me' })).status).toBe(400);
    const text = await scrape();
    expect(sample(text, DISPATCH_METRICS.callbacksTotal)).toBe(2);
    expect(
      sample(text, DISPATCH_METRICS.httpRequestsTotal, {
        method: 'POST',
        route: '/v1/callbacks',
        status: '201',
      }),
    ).toBe(2);
  });

  it('counts context records stored', async () => {
    const { app, scrape } = await appWithMetrics();
    const res = await app.request('/v1/context', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(contextRecord),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await app.request(`/v1/context/${id}`, { headers: auth })).status).toBe(200);
    const text = await scrape();
    expect(sample(text, DISPATCH_METRICS.contextRecordsTotal)).toBe(1);
    expect(text).not.toContain(id);
  });
});

describe('recordReconcile', () => {
  it('counts results and sets provisioned from the last one', async () => {
    const { metrics, scrape } = await appWithMetrics();
    metrics.recordReconcile('failed');
    metrics.recordReconcile('failed');
    let text = await scrape();
    expect(sample(text, DISPATCH_METRICS.reconcilesTotal, { result: 'failed' })).toBe(2);
    expect(sample(text, DISPATCH_METRICS.provisioned)).toBe(0);
    metrics.recordReconcile('applied');
    text = await scrape();
    expect(sample(text, DISPATCH_METRICS.reconcilesTotal, { result: 'applied' })).toBe(1);
    expect(sample(text, DISPATCH_METRICS.reconcilesTotal, { result: 'unchanged' })).toBe(0);
    expect(sample(text, DISPATCH_METRICS.provisioned)).toBe(1);
  });
});
