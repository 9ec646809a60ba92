/**
 * Dispatch's Prometheus metrics (names: contracts/metrics.ts), on a registry
 * of their own so that each app (and each test) counts separately. Served at
 * GET /metrics without authentication, like /healthz: keep that path off any
 * public Ingress.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DISPATCH_METRICS, HTTP_BUCKETS_SECONDS } from '../../../contracts/metrics.ts';

/** The `result` label of a reconcile run. */
export type ReconcileResult = 'applied' | 'unchanged' | 'failed';

const RECONCILE_RESULTS: readonly ReconcileResult[] = ['applied', 'unchanged', 'failed'];

/** LiveKit's webhook event names, the `event` label's values (anything else: `other`). */
export const LIVEKIT_WEBHOOK_EVENTS = Object.freeze([
  'room_started',
  'room_finished',
  'participant_joined',
  'participant_left',
  'participant_connection_aborted',
  'track_published',
  'track_unpublished',
  'egress_started',
  'egress_updated',
  'egress_ended',
  'ingress_started',
  'ingress_ended',
] as const);

/**
 * The `event` label of a LiveKit webhook: its name when LiveKit documents it,
 * else `other`, so that the label stays a bounded set.
 *
 * @example
 * webhookEventLabel('participant_left'); // 'participant_left'
 * webhookEventLabel('agent_job_started'); // 'other'
 */
export function webhookEventLabel(event: string): string {
  return (LIVEKIT_WEBHOOK_EVENTS as readonly string[]).includes(event) ? event : 'other';
}

/** `route` label of a request no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Prefix of the default process metrics (`gva_dispatch_process_cpu_seconds_total`...). */
export const DEFAULT_METRICS_PREFIX = 'gva_dispatch_';

export type DispatchMetrics = Readonly<{
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestSeconds: Histogram<'method' | 'route'>;
  callbacks: Counter;
  contextRecords: Counter;
  reconciles: Counter<'result'>;
  provisioned: Gauge;
  /** LiveKit webhooks with a valid signature, by `event` ({@link webhookEventLabel}). */
  livekitWebhooks: Counter<'event'>;
  /** Call records stored. */
  callRecords: Counter;
  /** Calls no agent took, by `route` (livekit-sip refused them at the ring timeout). */
  refusedCalls: Counter<'route'>;
  /** Calls no agent took that dispatch handed to the queue, by `route` and `result`. */
  handedOnCalls: Counter<'route' | 'result'>;
  /** Call-record webhook delivery attempts, by `webhook` (its name) and `result`. */
  webhookDeliveries: Counter<'webhook' | 'result'>;
  /** Counts one reconcile run and sets `provisioned` from its result. */
  recordReconcile: (result: ReconcileResult) => void;
}>;

export type DispatchMetricsOptions = Readonly<{
  /** Node.js process metrics (CPU, memory, event loop, GC); default true. */
  defaultMetrics?: boolean;
}>;

/**
 * Creates dispatch's metrics on a new registry.
 *
 * @example
 * const metrics = createDispatchMetrics();
 * const app = createApp({ status, store, apiToken, metrics });
 * metrics.recordReconcile('applied');
 * await metrics.registry.metrics(); // Prometheus text format
 */
export function createDispatchMetrics(options: DispatchMetricsOptions = {}): DispatchMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });
  }
  const reconciles = new Counter({
    name: DISPATCH_METRICS.reconcilesTotal,
    help: 'Reconcile runs of LiveKit SIP trunks and dispatch rules, by result.',
    labelNames: ['result'] as const,
    registers,
  });
  // Every result from zero, so rate() and increase() see the first run.
  for (const result of RECONCILE_RESULTS) reconciles.inc({ result }, 0);
  const provisioned = new Gauge({
    name: DISPATCH_METRICS.provisioned,
    help: '1 when LiveKit matches the routing file, else 0.',
    registers,
  });
  provisioned.set(0);
  return {
    registry,
    httpRequests: new Counter({
      name: DISPATCH_METRICS.httpRequestsTotal,
      help: 'HTTP requests, by method, route template and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpRequestSeconds: new Histogram({
      name: DISPATCH_METRICS.httpRequestSeconds,
      help: 'HTTP handler time in seconds, by method and route template.',
      labelNames: ['method', 'route'] as const,
      buckets: [...HTTP_BUCKETS_SECONDS],
      registers,
    }),
    callbacks: new Counter({
      name: DISPATCH_METRICS.callbacksTotal,
      help: 'Callback requests stored.',
      registers,
    }),
    contextRecords: new Counter({
      name: DISPATCH_METRICS.contextRecordsTotal,
      help: 'Context records stored.',
      registers,
    }),
    reconciles,
    provisioned,
    livekitWebhooks: new Counter({
      name: DISPATCH_METRICS.livekitWebhooksTotal,
      help: 'LiveKit webhooks received with a valid signature, by event.',
      labelNames: ['event'] as const,
      registers,
    }),
    callRecords: new Counter({
      name: DISPATCH_METRICS.callRecordsTotal,
      help: 'Call records stored.',
      registers,
    }),
    refusedCalls: new Counter({
      name: DISPATCH_METRICS.refusedCallsTotal,
      help: 'Calls no agent took, refused by livekit-sip at the ring timeout, by route.',
      labelNames: ['route'] as const,
      registers,
    }),
    handedOnCalls: new Counter({
      name: DISPATCH_METRICS.handedOnCallsTotal,
      help: 'Calls no agent took that dispatch handed to the human queue, by route and result.',
      labelNames: ['route', 'result'] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: DISPATCH_METRICS.webhookDeliveriesTotal,
      help: 'Call-record webhook delivery attempts, by webhook and result (delivered, retry, failed).',
      labelNames: ['webhook', 'result'] as const,
      registers,
    }),
    recordReconcile: (result) => {
      reconciles.inc({ result });
      provisioned.set(result === 'failed' ? 0 : 1);
    },
  };
}

/**
 * The route template a request matched (`/v1/context/:id`), never its path,
 * so that ids stay out of labels; {@link UNMATCHED_ROUTE} when only
 * middleware matched. Middleware is registered with `app.use` (method `ALL`).
 *
 * @example
 * app.get('/v1/context/:id', (c) => c.text(routeTemplate(c))); // "/v1/context/:id"
 */
export function routeTemplate(c: Context): string {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? UNMATCHED_ROUTE;
}

/**
 * Middleware counting and timing every request; register it first.
 *
 * @example
 * app.use('*', httpMetrics(metrics));
 */
export function httpMetrics(metrics: DispatchMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: c.req.method, route: routeTemplate(c) };
      metrics.httpRequestSeconds.observe(labels, seconds);
      metrics.httpRequests.inc({ ...labels, status: String(c.res.status) });
    }
  };
}
