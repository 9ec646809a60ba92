import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initializeLogger, voice } from '@livekit/agents';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../call/context.ts';
import { decodeUui } from '../genesys/uui.ts';
import { createDataActionClient } from './data-actions.ts';
import selfService from './self-service.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  testCall,
  testPersona,
  type PersonaTest,
} from './testing/index.ts';

const TOKEN = 'test-data-actions-token';
const JANE = testCall({ uui: decodeUui('account=12345;verified=true;name=Jane;encoding=ascii') });
/** The kit's default call: its UUI names an account, but the IVR did not verify the caller. */
const UNVERIFIED = testCall();

type Reply = Readonly<{ status: number; body: unknown }>;
type Received = Readonly<{ method: string; path: string; authorization: string | undefined }>;

/**
 * The customer's data-action API on 127.0.0.1: answers account status and
 * orders for account 12345, or `reply` for every request when a test sets it.
 */
type FakeApi = {
  url: string;
  received: Received[];
  reply: Reply | undefined;
  close: () => Promise<void>;
};

async function startFakeApi(): Promise<FakeApi> {
  const api: Omit<FakeApi, 'url' | 'close'> = { received: [], reply: undefined };
  const app = new Hono();
  const json = (r: Reply) =>
    new Response(JSON.stringify(r.body), {
      status: r.status,
      headers: { 'content-type': 'application/json' },
    });
  app.use(async (c, next) => {
    api.received.push({
      method: c.req.method,
      path: c.req.path,
      authorization: c.req.header('authorization'),
    });
    if (api.reply) return json(api.reply);
    await next();
  });
  app.get('/accounts/12345/status', () =>
    json({
      status: 200,
      body: { balance: 42.5, currency: 'USD', dueDate: '2026-07-31', status: 'active' },
    }),
  );
  app.get('/accounts/12345/orders/:order', (c) =>
    json({
      status: 200,
      body: { orderId: c.req.param('order'), status: 'shipped', eta: 'Friday' },
    }),
  );
  app.notFound(() => json({ status: 404, body: { error: 'not found' } }));

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

let api: FakeApi;
let downUrl: string;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  api = await startFakeApi();
  // A port that answered once and is now closed: connections are refused.
  const down = await startFakeApi();
  downUrl = down.url;
  await down.close();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.received.length = 0;
  api.reply = undefined;
});

let open: PersonaTest | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function start(
  opts: { call?: CallContext; baseUrl?: string; llm?: voice.testing.FakeLLM } = {},
): Promise<PersonaTest> {
  const runtime = new RecordingRuntime({
    call: opts.call ?? JANE,
    allowedQueues: selfService.transferTargets,
    data: createDataActionClient({
      baseUrl: opts.baseUrl ?? api.url,
      token: TOKEN,
      timeoutMs: 2000,
    }),
  });
  open = await testPersona(selfService, { runtime, ...(opts.llm ? { llm: opts.llm } : {}) });
  return open;
}

const BALANCE = 'Balance 42.50 USD, due 2026-07-31, account active.';
const saidBy = (result: voice.testing.RunResult) =>
  result.events.flatMap((e) => (e.type === 'message' ? (e.item.textContent ?? []) : []));

describe('self-service persona, greeting', () => {
  it('greets a caller the IVR verified by the name in the UUI', () => {
    expect(selfService.greeting(JANE)).toMatch(/^Hi Jane, thanks for calling\./);
  });

  it('greets an unverified caller without a name', () => {
    expect(selfService.greeting(UNVERIFIED)).toBe(
      'Thanks for calling. I can check your balance or an order. What would you like to know?',
    );
  });
});

describe('self-service persona, offline rules', () => {
  it('has offline intents that all match', () => {
    expect(offlineIntentProblems(selfService, JANE)).toEqual([]);
  });

  it('reads the balance from the data-action API back to the caller', async () => {
    const t = await start();
    const result = await t.run('What is my balance?');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.nextEvent().isFunctionCall({ name: 'get_account_status', args: {} });
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    const [first, readBack] = saidBy(result);
    expect(first).toBe('Let me check that for you.');
    expect(readBack).toContain(BALANCE);
    expect(readBack).not.toMatch(/^"/);
    expect(api.received).toEqual([
      { method: 'GET', path: '/accounts/12345/status', authorization: `Bearer ${TOKEN}` },
    ]);
    expect(t.runtime.lookups).toEqual([
      { action: 'account_status', params: { accountId: '12345' } },
    ]);
  });

  it('looks nothing up for a caller the IVR did not verify', async () => {
    const t = await start({ call: UNVERIFIED });
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('The caller is not authenticated');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(t.runtime.lookups).toEqual([]);
    expect(api.received).toEqual([]);
  });

  it('says nothing was found when the API answers 404', async () => {
    api.reply = { status: 404, body: { error: 'no such account' } };
    const t = await start();
    const result = await t.run('How much do I owe?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('Nothing was found');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(api.received.map((r) => r.path)).toEqual(['/accounts/12345/status']);
  });

  it.each([
    ['answers data of the wrong shape', { status: 200, body: { balance: 'lots' } }],
    ['answers 500', { status: 500, body: { error: 'boom' } }],
  ] as const)('says the lookup is unavailable when the API %s', async (_, reply) => {
    api.reply = reply;
    const t = await start();
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('The lookup is unavailable right now');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(api.received).toHaveLength(1);
  });

  it('says the lookup is unavailable when the API is down', async () => {
    const t = await start({ baseUrl: downUrl });
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('The lookup is unavailable right now');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(t.runtime.lookups).toHaveLength(1);
  });

  it('transfers a caller who asks for a person to general', async () => {
    const t = await start();
    const result = await t.run('Can I talk to someone?');

    result.expect.containsFunctionCall({ name: 'transfer_to_queue', args: { queue: 'general' } });
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
    expect(api.received).toEqual([]);
  });
});

describe('self-service persona, scripted LLM', () => {
  const orderCall = (order_number: string) => ({
    name: 'get_order_status',
    args: { order_number },
  });

  it('looks an order up under the authenticated account', async () => {
    const llm = new voice.testing.FakeLLM([
      { input: 'where is order 98765', toolCalls: [orderCall('98765')] },
    ]);
    const t = await start({ llm });
    const result = await t.run('where is order 98765');

    result.expect.nextEvent().isFunctionCall(orderCall('98765'));
    const output = result.expect.nextEvent().isFunctionCallOutput({ isError: false }).event()
      .item.output;
    expect(output).toContain('Order 98765 is shipped, expected Friday.');
    expect(api.received).toEqual([
      { method: 'GET', path: '/accounts/12345/orders/98765', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('refuses an order number with letters before any request is made', async () => {
    const llm = new voice.testing.FakeLLM([
      { input: 'where is order AB123', toolCalls: [orderCall('AB123')] },
    ]);
    const t = await start({ llm });
    const result = await t.run('where is order AB123');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toMatch(/^Invalid arguments for get_order_status: /);
    expect(t.runtime.lookups).toEqual([]);
    expect(api.received).toEqual([]);
  });

  it('transfers to billing when the LLM asks for it', async () => {
    const args = { queue: 'billing', summary: 'Jane wants to set up a payment plan' };
    const llm = new voice.testing.FakeLLM([
      {
        input: 'I want a payment plan',
        toolCalls: [{ name: 'transfer_to_queue', args }],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('I want a payment plan');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.transfers).toEqual([{ ...args, reason: 'persona_route' }]);
  });
});
