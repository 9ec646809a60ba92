import { afterEach, describe, expect, it } from 'vitest';
import { createAgentMetrics, startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { udpMetricsSink } from './metrics-sink.ts';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scrapeUntil(port: number, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`metrics never matched ${pattern}`);
}

describe('worker metrics server', () => {
  it('turns job datagrams into Prometheus series', async () => {
    const metrics = createAgentMetrics();
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    const sink = udpMetricsSink(server.udpTarget);
    sink.inc('gva_calls_total', { persona: 'triage', route: 'main' });
    sink.observe('gva_turn_latency_seconds', { persona: 'triage' }, 0.8);
    const text = await scrapeUntil(server.httpPort, /gva_turn_latency_seconds_count/);
    expect(text).toContain('gva_calls_total{persona="triage",route="main"} 1');
    expect(text).toContain('gva_turn_latency_seconds_bucket{le="1",persona="triage"} 1');
    expect(text).toContain('gva_turn_latency_seconds_bucket{le="0.75",persona="triage"} 0');
    expect(text).toContain('gva_agent_process_cpu_seconds_total');
  });

  it('counts malformed datagrams and changes no series', async () => {
    const metrics = createAgentMetrics();
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    const sink = udpMetricsSink(server.udpTarget);
    // Wrong label set: refused by the worker, not by the sink.
    sink.inc('gva_calls_total', { persona: 'triage' });
    for (let i = 0; i < 100 && metrics.rejected() === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(metrics.rejected()).toBe(1);
    const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
    expect(text).not.toMatch(/^gva_calls_total\{/m);
  });

  it('reads active calls at scrape time and answers 404 elsewhere', async () => {
    const metrics = createAgentMetrics();
    let calls = 3;
    metrics.trackCalls(() => calls);
    metrics.setLoad(0.375);
    metrics.refuseJob();
    server = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${server.httpPort}`;
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^gva_active_calls 3$/m);
    calls = 0;
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^gva_active_calls 0$/m);
    expect(text).toMatch(/^gva_worker_load 0\.375$/m);
    expect(text).toMatch(/^gva_jobs_refused_total 1$/m);
    expect((await fetch(`${url}/`)).status).toBe(404);
  });
});
