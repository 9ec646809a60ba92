/**
 * Prometheus metric names and labels both services export, and the Grafana
 * dashboard reads. Labels are bounded sets (persona, provider, stage, queue,
 * outcome, reason, SIP status class): never an id, a number or a caller.
 */

/** Seconds buckets for voice latencies: 50 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS = Object.freeze([
  0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
]);

/** Seconds buckets for HTTP handlers: 1 ms to 2.5 s. */
export const HTTP_BUCKETS_SECONDS = Object.freeze([
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]);

/** One stage of a conversational turn, measured by the voice pipeline. */
export const TURN_STAGES = Object.freeze([
  'eou_delay', // caller stops speaking → end of turn decided
  'stt_final', // caller stops speaking → final transcript
  'llm_ttft', // request → first token
  'tts_ttfb', // request → first audio byte
] as const);
export type TurnStage = (typeof TURN_STAGES)[number];

export const AGENT_METRICS = Object.freeze({
  /** Histogram{persona, stage, provider}: one stage of a turn, seconds. */
  turnStageSeconds: 'gva_turn_stage_seconds',
  /** Histogram{persona}: caller stops speaking → agent audio starts, seconds. */
  turnLatencySeconds: 'gva_turn_latency_seconds',
  /** Counter{persona, route}: calls answered. */
  callsTotal: 'gva_calls_total',
  /** Counter{persona, outcome}: how calls ended (contracts/call-outcome.ts). */
  callOutcomesTotal: 'gva_call_outcomes_total',
  /** Counter{queue, status, sip_status}: transfer attempts. */
  transfersTotal: 'gva_transfers_total',
  /** Counter{persona, reason}: handoffs decided by the handoff policy or the persona. */
  escalationsTotal: 'gva_escalations_total',
  /** Counter{persona, stage, provider}: voice provider errors (recoverable or not). */
  providerErrorsTotal: 'gva_provider_errors_total',
  /** Gauge: calls this worker is handling. */
  activeCalls: 'gva_active_calls',
  /** Gauge: the load this worker reports to LiveKit, 0..1. */
  workerLoad: 'gva_worker_load',
  /** Counter: job requests this worker refused because it held all the calls it takes (worker/admission.ts). */
  jobsRefusedTotal: 'gva_jobs_refused_total',
});

export const DISPATCH_METRICS = Object.freeze({
  /** Counter{method, route, status}: HTTP requests; route is the template, not the path. */
  httpRequestsTotal: 'gva_dispatch_http_requests_total',
  /** Histogram{method, route}: HTTP handler time, seconds. */
  httpRequestSeconds: 'gva_dispatch_http_request_seconds',
  /** Counter: callback requests stored. */
  callbacksTotal: 'gva_dispatch_callbacks_total',
  /** Counter: context records stored (one per transfer with context). */
  contextRecordsTotal: 'gva_dispatch_context_records_total',
  /** Counter{result}: reconcile runs (`applied`, `unchanged`, `failed`). */
  reconcilesTotal: 'gva_dispatch_reconciles_total',
  /** Gauge: 1 when LiveKit matches the routing file, else 0. */
  provisioned: 'gva_dispatch_provisioned',
  /** Counter{event}: LiveKit webhooks with a valid signature; event is LiveKit's name or `other`. */
  livekitWebhooksTotal: 'gva_dispatch_livekit_webhooks_total',
  /** Counter: call records stored (one per agent job). */
  callRecordsTotal: 'gva_dispatch_call_records_total',
  /** Counter{route}: calls no agent took, refused by livekit-sip at the trunk's ring timeout. */
  refusedCallsTotal: 'gva_dispatch_refused_calls_total',
  /** Counter{route, result}: calls no agent took that dispatch handed to the queue (`transferred`, `failed`). */
  handedOnCallsTotal: 'gva_dispatch_handed_on_calls_total',
  /**
   * Counter{webhook, result}: call-record webhook delivery attempts; result is
   * `delivered` (2xx), `retry` (failed, tried again later) or `failed` (gave up).
   */
  webhookDeliveriesTotal: 'gva_dispatch_webhook_deliveries_total',
});

/** `sip_status` label: the class of a SIP status (`2xx`…`6xx`) or `none`. */
export function sipStatusClass(status: number | undefined): string {
  return status !== undefined && status >= 100 && status < 700
    ? `${Math.floor(status / 100)}xx`
    : 'none';
}
