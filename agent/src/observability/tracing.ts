/**
 * OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set: one
 * `genesys_call` span per call carrying the correlation ids, with the
 * framework's session and turn spans (`agent_session`, `user_turn`,
 * `agent_turn`, `llm_node`, `tts_node`...) beneath it, exported over OTLP/HTTP.
 * Set up once per job process.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { telemetry } from '@livekit/agents';

export type TracingConfig = Readonly<{
  /** OTLP/HTTP base URL, e.g. `http://otel-collector:4318`; undefined turns tracing off. */
  endpoint: string | undefined;
  serviceName: string;
}>;

export type CallTrace = Readonly<{
  /** Runs `fn` with the call span active, so the session's spans become its children. */
  within: <T>(fn: () => T) => T;
  /** Ends the call span with its outcome and flushes the exporter. */
  end: (outcome: string) => Promise<void>;
}>;

let provider: NodeTracerProvider | undefined;

function tracerProvider(config: TracingConfig): NodeTracerProvider | undefined {
  if (!config.endpoint) return undefined;
  if (!provider) {
    const processor = new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/$/, '')}/v1/traces` }),
    );
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      spanProcessors: [processor],
    });
    provider.register();
    telemetry.setTracerProvider(provider);
  }
  return provider;
}

/**
 * Starts the call span; a no-op trace when tracing is off.
 *
 * @example
 * const callTrace = startCallTrace(config.tracing, { 'genesys.conversation_id': cnv, persona: 'triage' });
 * await callTrace.within(() => session.start({ agent, room }));
 * // on close:
 * await callTrace.end('transferred');
 */
export function startCallTrace(
  config: TracingConfig,
  attributes: Readonly<Record<string, string>>,
): CallTrace {
  const p = tracerProvider(config);
  if (!p) return { within: (fn) => fn(), end: async () => undefined };
  const span: Span = trace.getTracer('genesys-voice-agents').startSpan('genesys_call', {
    attributes: { ...attributes },
  });
  const active = trace.setSpan(context.active(), span);
  let ended = false;
  return {
    within: (fn) => context.with(active, fn),
    end: async (outcome) => {
      if (ended) return;
      ended = true;
      span.setAttribute('call.outcome', outcome);
      span.end();
      await p.forceFlush().catch(() => undefined);
    },
  };
}

/**
 * The call span's attributes from the call's ids (no caller data).
 *
 * @example
 * traceAttributes({ genesysConversationId: 'c', sipCallId: 's', room: 'r', jobId: 'j', persona: 'p', route: 'main' });
 */
export function traceAttributes(
  ids: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const names: Record<string, string> = {
    genesysConversationId: 'genesys.conversation_id',
    sipCallId: 'sip.call_id',
    room: 'livekit.room',
    jobId: 'livekit.job_id',
    persona: 'agent.persona',
    route: 'agent.route',
  };
  return Object.fromEntries(
    Object.entries(ids).flatMap(([k, v]) => (v === undefined ? [] : [[names[k] ?? k, v]])),
  );
}
