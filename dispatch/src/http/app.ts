/**
 * The dispatch HTTP API: health, Prometheus metrics, the endpoints agents use
 * to store what a call produced, and LiveKit's webhook. Everything under /v1
 * needs the bearer token except POST /v1/livekit/webhook, which LiveKit signs
 * instead; /healthz, /readyz and /metrics need nothing (keep them off public
 * routes).
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { newCallbackSchema } from '../../../contracts/callbacks.ts';
import { newContextRecordSchema } from '../../../contracts/context-record.ts';
import { redactFields, redactText } from '../../../contracts/redact.ts';
import type { Store } from '../store/store.ts';
import { registerCallRecordRoutes } from './call-records.ts';
import { bodyLimit, jsonBody } from './json-body.ts';
import { registerWorkerLeaseRoutes } from './worker-leases.ts';
import {
  LIVEKIT_WEBHOOK_PATH,
  livekitWebhook,
  type LiveKitWebhookDeps,
} from './livekit-webhook.ts';
import { httpMetrics, type DispatchMetrics } from './metrics.ts';
import { OPENAPI_PATH, openApiDocument } from './openapi.ts';
import { outboundCalls, type OutboundCallsDeps } from './outbound-calls.ts';

export type DispatchStatus = () => Readonly<{
  provisioned: boolean;
  lastError: string | undefined;
}>;

export type AppDeps = Readonly<{
  status: DispatchStatus;
  store: Store;
  /** Bearer token for /v1; undefined refuses every /v1 request. */
  apiToken: string | undefined;
  /** Where requests and stored records are counted; served at GET /metrics. */
  metrics: DispatchMetrics;
  /** Checks LiveKit's webhook signatures and closes bridged rooms. */
  livekitWebhook: LiveKitWebhookDeps;
  /**
   * Call records (call-records.ts): the webhook names each new record is
   * queued for (default none) and who to tell once one is stored (the outbox).
   */
  callRecords?: Readonly<{ webhooks: readonly string[]; stored?: () => void }>;
  /** POST /v1/calls (outbound-calls.ts); without it outbound calls are refused as not configured. */
  outboundCalls?: OutboundCallsDeps;
}>;

/** LiveKit's webhook bodies are a few KiB; it is reachable without a token, so bound it. */
const WEBHOOK_MAX_BYTES = 1024 * 1024;
/** A callback request is a number and a note of at most 1,000 characters. */
const CALLBACK_MAX_BYTES = 16 * 1024;
/** A context record: 20 turns of up to 1,000 characters, a summary and the caller's fields. */
const CONTEXT_MAX_BYTES = 256 * 1024;

/**
 * @example
 * const metrics = createDispatchMetrics();
 * const rooms = new RoomServiceClient(apiUrl, apiKey, apiSecret);
 * const app = createApp({
 *   status: () => ({ provisioned: true, lastError: undefined }),
 *   store,
 *   apiToken,
 *   metrics,
 *   livekitWebhook: { apiKey, apiSecret, deleteRoom: roomDeleter(rooms) },
 * });
 * await app.request('/readyz'); // 200
 */
export function createApp(deps: AppDeps): Hono {
  const { metrics } = deps;
  const app = new Hono();
  app.use('*', httpMetrics(metrics));
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const s = deps.status();
    return s.provisioned
      ? c.json({ status: 'ready' })
      : c.json({ status: 'not_ready', reason: s.lastError ?? 'provisioning' }, 503);
  });

  app.get(OPENAPI_PATH, openApiDocument());

  const auth = bearerAuth(deps.apiToken);
  // LiveKit cannot send the bearer token: its webhook carries its own signature.
  app.use('/v1/*', (c, next) =>
    c.req.method === 'POST' && c.req.path === LIVEKIT_WEBHOOK_PATH ? next() : auth(c, next),
  );
  app.post(
    LIVEKIT_WEBHOOK_PATH,
    bodyLimit(WEBHOOK_MAX_BYTES),
    livekitWebhook(deps.livekitWebhook, metrics),
  );
  app.post('/v1/callbacks', bodyLimit(CALLBACK_MAX_BYTES), async (c) => {
    const body = await jsonBody(c, newCallbackSchema);
    if (body instanceof Response) return body;
    const { notes, genesysConversationId, sipCallId, ...rest } = body;
    // The number is the payload a human calls back; free-text notes are redacted.
    const record = await deps.store.createCallback({
      ...rest,
      notes: notes === undefined ? undefined : redactText(notes),
      genesysConversationId,
      sipCallId,
    });
    metrics.callbacks.inc();
    return c.json(record, 201);
  });
  app.post('/v1/context', bodyLimit(CONTEXT_MAX_BYTES), async (c) => {
    const body = await jsonBody(c, newContextRecordSchema);
    if (body instanceof Response) return body;
    const { summary, fields, transcript, genesysConversationId, sipCallId, ...rest } = body;
    // Redacted once, here, before anything is stored or served to a screen pop.
    const record = await deps.store.createContext({
      ...rest,
      fields: redactFields(fields),
      transcript: transcript.map((turn) => ({ role: turn.role, text: redactText(turn.text) })),
      ...(summary === undefined ? {} : { summary: redactText(summary) }),
      ...(genesysConversationId === undefined ? {} : { genesysConversationId }),
      ...(sipCallId === undefined ? {} : { sipCallId }),
    });
    metrics.contextRecords.inc();
    return c.json(record, 201);
  });
  app.get('/v1/context/:id', async (c) => {
    const record = await deps.store.getContext(c.req.param('id'));
    return record ? c.json(record) : c.json({ error: 'not_found' }, 404);
  });
  app.get('/v1/callbacks/:id', async (c) => {
    const record = await deps.store.getCallback(c.req.param('id'));
    return record ? c.json(record) : c.json({ error: 'not_found' }, 404);
  });

  registerCallRecordRoutes(app, {
    store: deps.store,
    metrics,
    webhooks: deps.callRecords?.webhooks ?? [],
    ...(deps.callRecords?.stored ? { stored: deps.callRecords.stored } : {}),
  });

  registerWorkerLeaseRoutes(app, { store: deps.store });

  app.route('/', outboundCalls(deps.outboundCalls));

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
