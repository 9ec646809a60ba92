import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatchMetrics } from '../http/metrics.ts';
import { openStore, type DatabaseTarget } from '../store/open.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { usePostgres } from '../store/testing/use-postgres.ts';
import { sampleCall } from '../testing/call-record.ts';
import { freePort } from '../testing/free-port.ts';
import { startReceiver, type Receiver } from '../testing/webhook-receiver.ts';
import { DEFAULT_RETRY_POLICY } from './backoff.ts';
import { createOutbox, type OutboxOptions } from './outbox.ts';
import { DELIVERY_HEADER, verifyWebhookSignature } from './signature.ts';

const SECRET = 'crm-webhook-secret-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'dispatch-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const newPostgresUrl = usePostgres();

let databases = 0;
const databasesFor: Record<'sqlite' | 'postgres', () => Promise<DatabaseTarget>> = {
  sqlite: async () => ({ kind: 'sqlite', path: join(dir, `outbox-${++databases}.db`) }),
  postgres: async () => ({ kind: 'postgres', url: await newPostgresUrl() }),
};

/** The log lines dispatch wrote during the test (stdout is silenced). */
let logLines: () => Record<string, unknown>[];
beforeEach(() => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  logLines = () =>
    write.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(['sqlite', 'postgres'] as const)('call-record outbox on %s', (kind) => {
  const open: Store[] = [];
  const receivers: Receiver[] = [];
  let clock: number;
  let target: DatabaseTarget;

  beforeEach(async () => {
    // Ahead of the real clock, so a record stored just now is already due.
    clock = Date.now() + 1000;
    target = await databasesFor[kind]();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
    for (const s of open.splice(0)) await s.close();
  });

  async function storeFor(): Promise<Store> {
    const store = await openStore(target);
    open.push(store);
    return store;
  }
  async function receiver(options: Parameters<typeof startReceiver>[0] = {}) {
    const r = await startReceiver(options);
    receivers.push(r);
    return r;
  }
  function outboxFor(store: Store, url: string, options: Partial<OutboxOptions> = {}) {
    const metrics = createDispatchMetrics({ defaultMetrics: false });
    const outbox = createOutbox({
      store,
      webhooks: [{ name: 'crm', url, secret: SECRET }],
      deliveries: metrics.webhookDeliveries,
      now: () => clock,
      random: () => 0.5,
      ...options,
    });
    const count = async (result: string) =>
      (await metrics.webhookDeliveries.get()).values.find(
        (v) => v.labels.webhook === 'crm' && v.labels.result === result,
      )?.value;
    return { outbox, count };
  }
  /** Whether a request carries a valid signature, checked at `nowMs` (default the clock). */
  const signedBy = (req: { headers: Record<string, unknown>; body: string }, nowMs = clock) =>
    verifyWebhookSignature({
      secret: SECRET,
      signature: req.headers['x-gva-signature'] as string | undefined,
      timestamp: req.headers['x-gva-timestamp'] as string | undefined,
      body: req.body,
      nowMs,
    });

  it('POSTs the stored record as signed JSON with its delivery id, and marks it delivered', async () => {
    const store = await storeFor();
    const crm = await receiver();
    const { outbox, count } = outboxFor(store, crm.url);
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);

    expect(await outbox.deliverDue()).toEqual({
      delivered: 1,
      retry: 0,
      failed: 0,
      interrupted: 0,
    });
    const [req] = crm.requests;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual(record);
    expect(req?.headers['x-gva-timestamp']).toBe(String(Math.floor(clock / 1000)));
    expect(req && signedBy(req)).toBe(true);
    const [row] = await store.listDeliveries(record.id);
    expect(req?.headers[DELIVERY_HEADER.toLowerCase()]).toBe(row?.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await count('delivered')).toBe(1);
    expect(await outbox.deliverDue()).toEqual({
      delivered: 0,
      retry: 0,
      failed: 0,
      interrupted: 0,
    });
    expect(crm.requests).toHaveLength(1);
  });

  it('retries a failing receiver with backoff and delivers exactly once after it recovers', async () => {
    const store = await storeFor();
    const crm = await receiver({ respond: (n) => (n <= 2 ? 500 : 204) });
    const { outbox, count } = outboxFor(store, crm.url);
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    const start = clock;

    expect((await outbox.deliverDue()).retry).toBe(1);
    expect((await store.listDeliveries(record.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 500',
      nextAttemptAt: new Date(start + 1000).toISOString(),
    });
    clock = start + 999; // not due yet
    expect((await outbox.deliverDue()).retry).toBe(0);
    expect(crm.requests).toHaveLength(1);
    clock = start + 1000;
    expect((await outbox.deliverDue()).retry).toBe(1);
    expect((await store.listDeliveries(record.id))[0]?.nextAttemptAt).toBe(
      new Date(start + 1000 + 2000).toISOString(),
    );
    clock = start + 3000;
    expect((await outbox.deliverDue()).delivered).toBe(1);
    clock = start + 24 * 3600_000;
    expect(await outbox.deliverDue()).toEqual({
      delivered: 0,
      retry: 0,
      failed: 0,
      interrupted: 0,
    });

    const accepted = crm.requests.filter((r) => r.answered === 204);
    expect(accepted).toHaveLength(1);
    expect(JSON.parse(accepted[0]?.body ?? '')).toEqual(record);
    expect(accepted[0] && signedBy(accepted[0], start + 3000)).toBe(true);
    expect(new Set(crm.requests.map((r) => r.headers['x-gva-delivery'])).size).toBe(1);
    expect((await store.listDeliveries(record.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
    });
    expect([await count('retry'), await count('delivered'), await count('failed')]).toEqual([
      2, 1, 0,
    ]);
  });

  it('retries while nothing listens (connection refused) and delivers once the receiver is up', async () => {
    const store = await storeFor();
    const port = await freePort();
    const { outbox } = outboxFor(store, `http://127.0.0.1:${port}/hooks/calls`);
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);

    expect((await outbox.deliverDue()).retry).toBe(1);
    expect((await store.listDeliveries(record.id))[0]?.lastError).toBe('ECONNREFUSED');
    const crm = await receiver({ port });
    clock += 1000;
    expect((await outbox.deliverDue()).delivered).toBe(1);
    clock += 3600_000;
    await outbox.deliverDue();
    expect(crm.requests).toHaveLength(1);
    expect(JSON.parse(crm.requests[0]?.body ?? '')).toEqual(record);
  });

  it('gives up after the last attempt: failed, logged and counted', async () => {
    const store = await storeFor();
    const crm = await receiver({ respond: () => 503 });
    const { outbox, count } = outboxFor(store, crm.url, {
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 },
    });
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    for (let i = 0; i < 5; i++) {
      await outbox.deliverDue();
      clock += 10 * 60_000;
    }
    expect(crm.requests).toHaveLength(3);
    expect((await store.listDeliveries(record.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'HTTP 503',
    });
    expect([await count('retry'), await count('failed')]).toEqual([2, 1]);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'call record webhook delivery failed; giving up',
        webhook: 'crm',
        callRecordId: record.id,
        attempts: 3,
      }),
    );
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const store = await storeFor();
    const crm = await receiver({ respond: () => 'hang' });
    const { outbox } = outboxFor(store, crm.url, { timeoutMs: 100 });
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    expect((await outbox.deliverDue()).retry).toBe(1);
    expect((await store.listDeliveries(record.id))[0]?.lastError).toBe('timeout after 100 ms');
  });

  it('does not follow a redirect', async () => {
    const store = await storeFor();
    const crm = await receiver({ respond: () => 307 });
    const { outbox } = outboxFor(store, crm.url);
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    expect((await outbox.deliverDue()).retry).toBe(1);
    expect(crm.requests).toHaveLength(1);
    expect((await store.listDeliveries(record.id))[0]?.lastError).toBe('HTTP 307');
  });

  it('loses nothing across a restart: the next process delivers the pending row', async () => {
    const crm = await receiver({ respond: () => 500 });
    const first = await storeFor();
    const before = outboxFor(first, crm.url);
    const { record } = await first.createCallRecord(sampleCall(), ['crm']);
    expect((await before.outbox.deliverDue()).retry).toBe(1);
    await before.outbox.stop();
    await first.close();
    open.splice(open.indexOf(first), 1);

    crm.respond = () => 200;
    clock += 1000;
    const second = await storeFor();
    const after = outboxFor(second, crm.url, { pollIntervalMs: 60_000 });
    after.outbox.start(); // its first pass runs at once
    const delivered = await crm.request(2);
    expect(delivered.answered).toBe(200);
    expect(JSON.parse(delivered.body)).toEqual(record);
    await vi.waitFor(async () =>
      expect((await second.listDeliveries(record.id))[0]?.status).toBe('delivered'),
    );
    await after.outbox.stop();
    expect(crm.requests).toHaveLength(2);
  });

  it('delivers a record stored while running when woken, without waiting for the poll', async () => {
    const store = await storeFor();
    const crm = await receiver();
    const { outbox } = outboxFor(store, crm.url, { pollIntervalMs: 60_000 });
    outbox.start();
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    outbox.wake();
    expect(JSON.parse((await crm.request(1)).body)).toEqual(record);
    await outbox.stop();
  });

  it('on stop, aborts a delivery in flight and leaves its row due, the attempt not counted', async () => {
    const store = await storeFor();
    const crm = await receiver({ respond: () => 'hang' });
    const { outbox, count } = outboxFor(store, crm.url, { pollIntervalMs: 60_000 });
    const { record } = await store.createCallRecord(sampleCall(), ['crm']);

    // Storing may take a while on a busy machine: keep the clock ahead of it.

    clock = Math.max(clock, Date.now() + 1000);
    outbox.start();
    await crm.request(1);
    await outbox.stop();
    expect((await store.listDeliveries(record.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: new Date(clock).toISOString(),
    });
    expect([await count('retry'), await count('failed'), await count('delivered')]).toEqual([
      0, 0, 0,
    ]);
  });
});

describe('call-record outbox loop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls on its timer while started and leaves no timer once stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = await openSqliteStore(':memory:');
    const claims = vi.spyOn(store, 'claimDeliveries');
    const outbox = createOutbox({
      store,
      webhooks: [{ name: 'crm', url: 'http://127.0.0.1:9/unused', secret: SECRET }],
      pollIntervalMs: 1000,
    });
    outbox.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(claims).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(claims).toHaveBeenCalledTimes(4);
    expect(vi.getTimerCount()).toBe(1);
    await outbox.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(claims).toHaveBeenCalledTimes(4);
    outbox.wake();
    outbox.start();
    expect(vi.getTimerCount()).toBe(0);
    await store.close();
  });

  it('does nothing without webhooks', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = await openSqliteStore(':memory:');
    const outbox = createOutbox({ store, webhooks: [] });
    outbox.start();
    outbox.wake();
    expect(vi.getTimerCount()).toBe(0);
    expect(await outbox.deliverDue()).toEqual({
      delivered: 0,
      retry: 0,
      failed: 0,
      interrupted: 0,
    });
    await outbox.stop();
    await store.close();
  });

  it('keeps polling after a pass fails, logging it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const store = await openSqliteStore(':memory:');
    const claims = vi
      .spyOn(store, 'claimDeliveries')
      .mockRejectedValueOnce(new Error('database is locked'));
    const outbox = createOutbox({
      store,
      webhooks: [{ name: 'crm', url: 'http://127.0.0.1:9/unused', secret: SECRET }],
      pollIntervalMs: 1000,
    });
    outbox.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(claims).toHaveBeenCalledTimes(2);
    expect(write.mock.calls.map(([line]) => String(line)).join('')).toContain(
      '"msg":"call record outbox pass failed","error":"database is locked"',
    );
    await outbox.stop();
    await store.close();
  });
});
