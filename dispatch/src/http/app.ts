/**
 * The dispatch HTTP API: health, and the endpoints agents use to store what a
 * call produced. Everything under /v1 needs the bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Context } from 'hono';
import type { z } from 'zod';
import { newCallbackSchema } from '../../../contracts/callbacks.ts';
import { newContextRecordSchema } from '../../../contracts/context-record.ts';
import type { Store } from '../store/store.ts';

export type DispatchStatus = () => Readonly<{
  provisioned: boolean;
  lastError: string | undefined;
}>;

export type AppDeps = Readonly<{
  status: DispatchStatus;
  store: Store;
  /** Bearer token for /v1; undefined refuses every /v1 request. */
  apiToken: string | undefined;
}>;

/**
 * @example
 * const app = createApp({ status: () => ({ provisioned: true, lastError: undefined }), store, apiToken });
 * await app.request('/readyz'); // 200
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const s = deps.status();
    return s.provisioned
      ? c.json({ status: 'ready' })
      : c.json({ status: 'not_ready', reason: s.lastError ?? 'provisioning' }, 503);
  });

  app.use('/v1/*', bearerAuth(deps.apiToken));
  app.post('/v1/callbacks', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'invalid_json' }, 400);
    }
    const parsed = newCallbackSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${i.path.join('.') || '(body)'}: ${i.message}`,
      );
      return c.json({ error: 'invalid_request', problems }, 400);
    }
    const { notes, genesysConversationId, sipCallId, ...rest } = parsed.data;
    const record = deps.store.createCallback({ ...rest, notes, genesysConversationId, sipCallId });
    return c.json(record, 201);
  });
  app.post('/v1/context', async (c) => {
    const body: unknown = await c.req.json().catch(() => INVALID_JSON);
    if (body === INVALID_JSON) return c.json({ error: 'invalid_json' }, 400);
    const parsed = newContextRecordSchema.safeParse(body);
    if (!parsed.success) return invalid(c, parsed.error);
    const { summary, genesysConversationId, sipCallId, ...rest } = parsed.data;
    const record = deps.store.createContext({
      ...rest,
      ...(summary === undefined ? {} : { summary }),
      ...(genesysConversationId === undefined ? {} : { genesysConversationId }),
      ...(sipCallId === undefined ? {} : { sipCallId }),
    });
    return c.json(record, 201);
  });
  app.get('/v1/context/:id', (c) => {
    const record = deps.store.getContext(c.req.param('id'));
    return record ? c.json(record) : c.json({ error: 'not_found' }, 404);
  });
  app.get('/v1/callbacks/:id', (c) => {
    const record = deps.store.getCallback(c.req.param('id'));
    return record ? c.json(record) : c.json({ error: 'not_found' }, 404);
  });

  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  app.onError((err, c) => {
    console.error(
      JSON.stringify({ level: 'error', msg: 'unhandled HTTP error', error: err.message }),
    );
    return c.json({ error: 'internal' }, 500);
  });
  return app;
}

function bearerAuth(token: string | undefined): MiddlewareHandler {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return async (c, next) => {
    if (!expected) return c.json({ error: 'api_token_not_configured' }, 503);
    const given = Buffer.from(/^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ error: 'unauthorized' }, 401);
    }
    await next();
  };
}

const INVALID_JSON = Symbol('invalid json');

function invalid(c: Context, error: z.ZodError) {
  const problems = error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  return c.json({ error: 'invalid_request', problems }, 400);
}
