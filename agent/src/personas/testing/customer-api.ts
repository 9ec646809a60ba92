/**
 * A fake of the customer's data-action API (their CRM, reached by Genesys
 * data actions and by personas) on 127.0.0.1, for persona and real-stack
 * tests. It knows one account; a test may force one reply for every request.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** The one account the fake knows. */
export const TEST_ACCOUNT = Object.freeze({
  id: '12345',
  pin: '2040',
  name: 'Jane',
  status: { balance: 42.5, currency: 'USD', dueDate: '2026-07-31', status: 'active' },
});

export type CustomerApiReply = Readonly<{ status: number; body: unknown }>;

/** One request the fake received; `body` is the parsed JSON body of a POST. */
export type CustomerApiRequest = Readonly<{
  method: string;
  path: string;
  authorization: string | undefined;
  body?: unknown;
}>;

export type CustomerApi = {
  readonly url: string;
  readonly received: CustomerApiRequest[];
  /** When each of `received` arrived, epoch milliseconds, index for index. */
  readonly receivedAt: number[];
  /** When set, every request gets this reply. */
  reply: CustomerApiReply | undefined;
  close: () => Promise<void>;
};

/**
 * @example
 * const api = await startCustomerApi();
 * const data = createDataActionClient({ baseUrl: api.url, token: 't' });
 * await data.lookup(accountStatus, { accountId: TEST_ACCOUNT.id }); // { status: 'ok', ... }
 * await api.close();
 */
export async function startCustomerApi(): Promise<CustomerApi> {
  const received: CustomerApiRequest[] = [];
  const receivedAt: number[] = [];
  const state: { reply: CustomerApiReply | undefined } = { reply: undefined };
  const json = (r: CustomerApiReply) =>
    new Response(JSON.stringify(r.body), {
      status: r.status,
      headers: { 'content-type': 'application/json' },
    });
  const app = new Hono();
  app.use(async (c, next) => {
    const body: unknown =
      c.req.method === 'POST' ? await c.req.json().catch(() => '(not json)') : undefined;
    receivedAt.push(Date.now());
    received.push({
      method: c.req.method,
      path: c.req.path,
      authorization: c.req.header('authorization'),
      ...(body === undefined ? {} : { body }),
    });
    if (state.reply) return json(state.reply);
    await next();
  });
  const account = `/accounts/${TEST_ACCOUNT.id}`;
  app.get(`${account}/status`, () => json({ status: 200, body: TEST_ACCOUNT.status }));
  app.get(`${account}/orders/:order`, (c) =>
    json({
      status: 200,
      body: { orderId: c.req.param('order'), status: 'shipped', eta: 'Friday' },
    }),
  );
  app.post(`${account}/verify`, async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { pin?: unknown };
    const verified = body.pin === TEST_ACCOUNT.pin;
    return json({
      status: 200,
      body: verified ? { verified, name: TEST_ACCOUNT.name } : { verified },
    });
  });
  app.notFound(() => json({ status: 404, body: { error: 'not found' } }));

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    receivedAt,
    get reply() {
      return state.reply;
    },
    set reply(r) {
      state.reply = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
