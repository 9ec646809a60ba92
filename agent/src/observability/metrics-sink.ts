/**
 * The job-process side of the worker's metrics: each observation is one UDP
 * datagram to the worker process on loopback (its address is in
 * `GVA_METRICS_UDP`, set by the worker before it forks job processes). Fire
 * and forget: a lost datagram loses one sample, never delays a call.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { MetricEvent, MetricsSink } from './metric-events.ts';

/** Environment variable naming the worker's metrics datagram address, `127.0.0.1:<port>`. */
export const METRICS_UDP_ENV = 'GVA_METRICS_UDP';

let shared: { target: string; socket: Socket } | undefined;

/**
 * A sink sending to `target` (`host:port`); a sink that drops everything when
 * `target` is undefined (no worker registry, e.g. persona tests).
 *
 * @example
 * const sink = udpMetricsSink(process.env[METRICS_UDP_ENV]);
 * sink.inc('gva_calls_total', { persona: 'triage', route: 'main' });
 */
export function udpMetricsSink(target: string | undefined): MetricsSink {
  const match = target ? /^([0-9.]+):([0-9]{1,5})$/.exec(target) : null;
  if (!match) return NO_METRICS;
  const host = match[1] ?? '127.0.0.1';
  const port = Number(match[2]);
  let socket = shared && shared.target === target ? shared.socket : undefined;
  if (!socket) {
    shared?.socket.close();
    socket = createSocket('udp4');
    socket.on('error', () => undefined);
    socket.unref();
    shared = { target: match[0], socket };
  }
  const out = socket;
  const send = (event: MetricEvent) => {
    out.send(JSON.stringify(event), port, host, () => undefined);
  };
  return Object.freeze({
    observe: (metric, labels, value) =>
      send({ kind: 'observe', metric, labels: { ...labels }, value }),
    inc: (metric, labels) => send({ kind: 'inc', metric, labels: { ...labels } }),
  });
}

export const NO_METRICS: MetricsSink = Object.freeze({
  observe: () => undefined,
  inc: () => undefined,
});

/**
 * A provider or stage name as a label value: characters outside the label
 * alphabet become `_`, at most 64 long; `unknown` when empty.
 *
 * @example
 * metricLabel('espeak-ng/en-us/175wpm/p50'); // 'espeak-ng/en-us/175wpm/p50'
 */
export function metricLabel(value: unknown): string {
  const text = String(value ?? '')
    .replace(/[^A-Za-z0-9_.:/-]/g, '_')
    .slice(0, 64);
  return text || 'unknown';
}
