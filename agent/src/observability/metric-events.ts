/**
 * What a call's job process reports to its worker's metrics registry: one
 * small JSON datagram per observation. The worker validates every datagram
 * here before it touches a metric; labels are checked against each metric's
 * label names and a bounded value alphabet, so no id or caller data can
 * become a time series.
 */
import { z } from 'zod';
import { AGENT_METRICS } from '../../../contracts/metrics.ts';

/** The labels each per-call metric takes, in order. */
export const CALL_METRIC_LABELS = Object.freeze({
  [AGENT_METRICS.turnStageSeconds]: ['persona', 'stage', 'provider'],
  [AGENT_METRICS.turnLatencySeconds]: ['persona'],
  [AGENT_METRICS.callsTotal]: ['persona', 'route'],
  [AGENT_METRICS.callOutcomesTotal]: ['persona', 'outcome'],
  [AGENT_METRICS.transfersTotal]: ['queue', 'status', 'sip_status'],
  [AGENT_METRICS.escalationsTotal]: ['persona', 'reason'],
  [AGENT_METRICS.providerErrorsTotal]: ['persona', 'stage', 'provider'],
} as const);

export type HistogramName =
  typeof AGENT_METRICS.turnStageSeconds | typeof AGENT_METRICS.turnLatencySeconds;
export type CounterName =
  | typeof AGENT_METRICS.callsTotal
  | typeof AGENT_METRICS.callOutcomesTotal
  | typeof AGENT_METRICS.transfersTotal
  | typeof AGENT_METRICS.escalationsTotal
  | typeof AGENT_METRICS.providerErrorsTotal;

/** Persona, provider, queue names and reason codes: short, no spaces, no `@` or `+`. */
const labelValue = z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/);
const labels = z.record(z.string(), labelValue);

export const metricEventSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('observe'),
      metric: z.enum([AGENT_METRICS.turnStageSeconds, AGENT_METRICS.turnLatencySeconds]),
      labels,
      /** Seconds; a voice latency above an hour is a clock error, not a measurement. */
      value: z.number().finite().min(0).max(3600),
    })
    .strict(),
  z
    .object({
      kind: z.literal('inc'),
      metric: z.enum([
        AGENT_METRICS.callsTotal,
        AGENT_METRICS.callOutcomesTotal,
        AGENT_METRICS.transfersTotal,
        AGENT_METRICS.escalationsTotal,
        AGENT_METRICS.providerErrorsTotal,
      ]),
      labels,
    })
    .strict(),
]);

export type MetricEvent = z.output<typeof metricEventSchema>;

/**
 * Parses one datagram; undefined when it is not a well-formed event whose
 * labels are exactly its metric's label names.
 *
 * @example
 * parseMetricEvent('{"kind":"inc","metric":"gva_calls_total","labels":{"persona":"triage","route":"main"}}');
 */
export function parseMetricEvent(text: string): MetricEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = metricEventSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const expected: readonly string[] = CALL_METRIC_LABELS[parsed.data.metric];
  const given = Object.keys(parsed.data.labels);
  if (given.length !== expected.length || !expected.every((l) => given.includes(l)))
    return undefined;
  return parsed.data;
}

/** Where a call's measurements go. Never throws, never blocks the call. */
export type MetricsSink = Readonly<{
  observe: (
    metric: HistogramName,
    labels: Readonly<Record<string, string>>,
    seconds: number,
  ) => void;
  inc: (metric: CounterName, labels: Readonly<Record<string, string>>) => void;
}>;
