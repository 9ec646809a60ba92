/**
 * One spoken call through the real stack, followed from its Genesys
 * conversation id: the worker's /metrics holds its turn latencies, every log
 * line of the call carries the correlation ids, the trace reaches an OTLP
 * receiver, and no caller number, account or spoken digits appear in clear
 * in our logs or in the context record Genesys fetches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import { startOtlpReceiver, type OtlpReceiver } from './harness/otlp-receiver.ts';
import { startStack, type Stack } from './harness/stack.ts';

const CNV = '5d2c9e1a-7b3f-4a6d-8e0c-1f2a3b4c5d6e';
const ANI = '+15557654321';
/** What identifies the caller and must not appear in clear. */
const PII = ['5557654321', '765432', '98765'];

let stack: Stack;
let otlp: OtlpReceiver;
let call: GenesysCallReport;
let metricsText: string;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  stack = await startStack({
    slot: 8,
    name: 'test-observability',
    agentEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
  });
  call = await placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-spoken-request.xml',
    ani: ANI,
    conversationId: CNV,
    uui: 'account=98765;intent=billing',
    speech: "I'd like to talk to someone about my bill.",
    speechEngine: 'flite',
    trailingSilenceSeconds: 10,
  });
  await waitForIdleWorker(stack.ports.agentHealth);
  const res = await fetch(`http://127.0.0.1:${stack.ports.agentMetrics}/metrics`);
  metricsText = await res.text();
});

afterAll(async () => {
  await stack?.stop();
  await otlp?.close();
});

/** Prometheus text → value of the first sample whose name and labels match. */
function sample(name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/**
 * Every line of the call's job process (the process that answered it), the
 * framework's included: chosen by process, not by the ids under test.
 */
function callLines(): LogLine[] {
  const lines = readJsonLog(stack.runDir, 'agent.log');
  const answered = lines.find((l) => l.msg === 'call answered');
  return answered === undefined ? [] : lines.filter((l) => l['pid'] === answered['pid']);
}

describe('one call, followed end to end', () => {
  it('was the call we think it was', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'persona_route', ai_cnv: CNV });
  });

  it('shows its turn latencies as histograms with plausible values', () => {
    const count = sample('gva_turn_latency_seconds_count', { persona: 'triage' }) ?? 0;
    const sum = sample('gva_turn_latency_seconds_sum', { persona: 'triage' }) ?? 0;
    expect(count).toBeGreaterThanOrEqual(1);
    // Caller stops speaking → agent audio: above 50 ms, well under 10 s on loopback.
    expect(sum / count).toBeGreaterThan(0.05);
    expect(sum / count).toBeLessThan(10);
    for (const stage of ['eou_delay', 'stt_final', 'llm_ttft', 'tts_ttfb']) {
      expect(sample('gva_turn_stage_seconds_count', { stage }), stage).toBeGreaterThanOrEqual(1);
    }
    expect(
      sample('gva_turn_stage_seconds_count', { stage: 'llm_ttft', provider: 'offline.RulesLLM' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts the call, its outcome, the transfer and the escalation reason', () => {
    expect(sample('gva_calls_total', { persona: 'triage', route: 'main' })).toBe(1);
    expect(sample('gva_call_outcomes_total', { persona: 'triage', outcome: 'transferred' })).toBe(
      1,
    );
    expect(sample('gva_transfers_total', { queue: 'billing', status: 'completed' })).toBe(1);
    expect(sample('gva_escalations_total', { persona: 'triage', reason: 'persona_route' })).toBe(1);
    expect(sample('gva_active_calls')).toBe(0);
  });

  it('keeps ids and caller data out of metric labels', () => {
    expect(metricsText).not.toContain(CNV);
    for (const pii of PII) expect(metricsText).not.toContain(pii);
  });

  it('puts the correlation ids on every log line of the call once it is answered', () => {
    const lines = callLines();
    const answered = lines.find((l) => l.msg === 'call answered');
    expect(answered).toBeDefined();
    // By time, not file position: the RTC library's logger writes on its own stream.
    const after = lines.filter((l) => Number(l['time']) >= Number(answered?.['time']));
    expect(after.length).toBeGreaterThan(10);
    const missing = after.filter(
      (l) =>
        l['genesysConversationId'] !== CNV ||
        !l['sipCallId'] ||
        !(l['room'] ?? l['room_id']) ||
        !(l['jobId'] ?? l['jobID']) ||
        l['persona'] !== 'triage',
    );
    expect(missing.map((l) => l.msg)).toEqual([]);
  });

  it('masks the caller number, account and transcripts in the logs', () => {
    const text = JSON.stringify(readJsonLog(stack.runDir, 'agent.log'));
    for (const pii of PII) expect(text).not.toContain(pii);
    const answered = callLines().find((l) => l.msg === 'call answered');
    expect(answered?.['ani']).toBe('+•••••••••21');
    expect(answered?.['uuiFields']).toMatchObject({ account: '[redacted]' });
    const dispatchLog = JSON.stringify(readJsonLog(stack.runDir, 'dispatch.log'));
    for (const pii of PII) expect(dispatchLog).not.toContain(pii);
  });

  it('stores a context record with no caller data in clear', async () => {
    const id = call.refer?.uuiFields['ai_ctx'];
    expect(id).toBeTruthy();
    const res = await fetch(`http://127.0.0.1:${stack.ports.dispatch}/v1/context/${id}`, {
      headers: { authorization: `Bearer ${stack.dispatchToken}` },
    });
    const record = JSON.stringify(await res.json());
    expect(record).toContain(CNV);
    for (const pii of PII) expect(record).not.toContain(pii);
  });

  it('keeps a call record an operator finds by the conversation id', async () => {
    const res = await fetch(
      `http://127.0.0.1:${stack.ports.dispatch}/v1/calls?genesysConversationId=${CNV}`,
      { headers: { authorization: `Bearer ${stack.dispatchToken}` } },
    );
    const { calls } = (await res.json()) as { calls: Record<string, unknown>[] };
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      genesysConversationId: CNV,
      route: 'main',
      persona: 'triage',
      outcome: 'transferred',
      escalationReason: 'persona_route',
      transfers: [{ queue: 'billing', status: 'completed' }],
    });
    expect((calls[0]?.['latency'] as { turns: number }).turns).toBeGreaterThanOrEqual(1);
    for (const pii of PII) expect(JSON.stringify(calls)).not.toContain(pii);
  });

  it('exports the call as one trace: the call span, the session and its turns', () => {
    const callSpan = otlp.spans.find(
      (s) => s.name === 'genesys_call' && s.attributes['genesys.conversation_id'] === CNV,
    );
    expect(callSpan?.attributes).toMatchObject({
      'agent.persona': 'triage',
      'agent.route': 'main',
      'call.outcome': 'transferred',
    });
    const trace = otlp.spans.filter((s) => s.traceId === callSpan?.traceId);
    const names = new Set(trace.map((s) => s.name));
    for (const name of ['agent_session', 'user_turn', 'agent_turn']) expect(names).toContain(name);
    const session = trace.find((s) => s.name === 'agent_session');
    expect(session?.parentSpanId).toBe(callSpan?.spanId);
  });
});
