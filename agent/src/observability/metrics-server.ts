/**
 * The worker process's Prometheus registry and its `/metrics` endpoint.
 * Job processes (one per call) send their measurements as datagrams (see
 * metrics-sink.ts); the worker sets the gauges itself from its load.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AGENT_METRICS, LATENCY_BUCKETS_SECONDS } from '../../../contracts/metrics.ts';
import { CALL_METRIC_LABELS, parseMetricEvent, type MetricEvent } from './metric-events.ts';

export type AgentMetrics = Readonly<{
  registry: Registry;
  /** Applies one validated event from a job process. */
  apply: (event: MetricEvent) => void;
  /** Reads the worker's calls at each scrape. */
  trackCalls: (activeCalls: () => number) => void;
  /** Sets the load gauge (from the load function LiveKit polls). */
  setLoad: (load: number) => void;
  /** Counts a job request refused because the worker is full. */
  refuseJob: () => void;
  /** Counts a datagram refused as malformed. */
  reject: () => void;
  /** Datagrams refused as malformed since start. */
  rejected: () => number;
}>;

/**
 * @example
 * const metrics = createAgentMetrics();
 * metrics.apply({ kind: 'inc', metric: 'gva_calls_total', labels: { persona: 'triage', route: 'main' } });
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gva_agent_' });
  const histograms = new Map<string, Histogram>();
  const counters = new Map<string, Counter>();
  const help: Record<string, string> = {
    [AGENT_METRICS.turnStageSeconds]: 'One stage of a conversational turn, seconds',
    [AGENT_METRICS.turnLatencySeconds]: 'Caller stops speaking to agent audio starts, seconds',
    [AGENT_METRICS.callsTotal]: 'Calls answered',
    [AGENT_METRICS.callOutcomesTotal]: 'How calls ended',
    [AGENT_METRICS.transfersTotal]: 'Transfer attempts (REFER) by outcome',
    [AGENT_METRICS.escalationsTotal]: 'Handoffs to a human by reason',
    [AGENT_METRICS.providerErrorsTotal]: 'Voice provider errors',
  };
  for (const [name, labelNames] of Object.entries(CALL_METRIC_LABELS)) {
    const common = {
      name,
      help: help[name] ?? name,
      labelNames: [...labelNames],
      registers: [registry],
    };
    if (name.endsWith('_seconds'))
      histograms.set(name, new Histogram({ ...common, buckets: [...LATENCY_BUCKETS_SECONDS] }));
    else counters.set(name, new Counter(common));
  }
  let calls: () => number = () => 0;
  new Gauge({
    name: AGENT_METRICS.activeCalls,
    help: 'Calls this worker is handling',
    registers: [registry],
    collect() {
      this.set(calls());
    },
  });
  const workerLoad = new Gauge({
    name: AGENT_METRICS.workerLoad,
    help: 'Load this worker reports to LiveKit, 0..1',
    registers: [registry],
  });
  const jobsRefused = new Counter({
    name: AGENT_METRICS.jobsRefusedTotal,
    help: 'Job requests refused because the worker held all the calls it takes',
    registers: [registry],
  });
  let rejected = 0;
  return Object.freeze({
    registry,
    apply: (event: MetricEvent) => {
      if (event.kind === 'observe')
        histograms.get(event.metric)?.observe(event.labels, event.value);
      else counters.get(event.metric)?.inc(event.labels);
    },
    trackCalls: (activeCalls: () => number) => {
      calls = activeCalls;
    },
    setLoad: (load: number) => workerLoad.set(load),
    refuseJob: () => jobsRefused.inc(),
    reject: () => void rejected++,
    rejected: () => rejected,
  });
}

export type MetricsServer = Readonly<{
  /** `127.0.0.1:<port>` for job processes ({@link METRICS_UDP_ENV}). */
  udpTarget: string;
  /** The HTTP port `/metrics` is served on. */
  httpPort: number;
  close: () => Promise<void>;
}>;

/**
 * Listens for job datagrams on loopback and serves `GET /metrics`.
 *
 * @example
 * const server = await startMetricsServer(metrics, { host: '0.0.0.0', port: 9464 });
 * process.env[METRICS_UDP_ENV] = server.udpTarget; // before job processes fork
 */
export async function startMetricsServer(
  metrics: AgentMetrics,
  http: Readonly<{ host: string; port: number }>,
): Promise<MetricsServer> {
  const udp = createSocket('udp4');
  udp.on('message', (msg) => {
    const event = msg.length <= 2048 ? parseMetricEvent(msg.toString('utf8')) : undefined;
    if (event) metrics.apply(event);
    else metrics.reject();
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  udp.unref();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry
      .metrics()
      .then((text) =>
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      )
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(http.port, http.host, () => resolve());
  });
  server.unref();
  return {
    udpTarget: `127.0.0.1:${(udp.address() as AddressInfo).port}`,
    httpPort: (server.address() as AddressInfo).port,
    close: async () => {
      udp.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
