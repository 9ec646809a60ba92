/**
 * How the SIP boundary tests (test/sip-boundary.test.ts) judge a probed call
 * and write its row of the reliability table: a clean refusal, or an answered
 * call whose record dispatch keeps.
 */
import { expect } from 'vitest';
import { callRecordsOf } from './dispatch-records.ts';
import { readJsonLog, waitForIdleWorker } from './logs.ts';
import { reliabilityRow } from './reliability.ts';
import type { ProbeResult } from './sip-probe.ts';
import type { Stack } from './stack.ts';

/** The statuses the call's INVITE got, in order. */
export const statuses = (r: ProbeResult) => r.responses.map((x) => x.status);

/** The test conversation id numbered `n` (x-inin-cnv): one per case. */
export const cnvOf = (n: number) =>
  `1b7e0f2a-3c4d-4e5f-8a9b-0c1d2e3f${n.toString(16).padStart(4, '0')}`;

/** A refusal: a final 4xx-6xx, soon, and never an answer. */
export function expectRefused(r: ProbeResult, label: string): void {
  expect(statuses(r), label).not.toContain(200);
  expect(r.final, label).toBeGreaterThanOrEqual(400);
  expect(r.finalAtMs, label).toBeLessThan(2000);
  reliabilityRow({ case: label, caller: `${r.final} after ${r.finalAtMs} ms`, callsLost: 0 });
}

/** The one record of an answered call, found by the conversation id it came with. */
export async function recordOf(stack: Stack, r: ProbeResult, cnv: string, label: string) {
  expect(r.final, label).toBe(200);
  const records = await callRecordsOf(stack, cnv, 20_000);
  expect(records, label).toHaveLength(1);
  expect(records[0], label).toMatchObject({ genesysConversationId: cnv, route: 'main' });
  return records[0] ?? {};
}

/** An answered call that keeps its record; the worker is idle after it. */
export async function expectAnsweredAndRecorded(
  stack: Stack,
  r: ProbeResult,
  cnv: string,
  label: string,
): Promise<void> {
  const record = await recordOf(stack, r, cnv, label);
  reliabilityRow({
    case: label,
    caller: `answered after ${r.finalAtMs} ms, record kept (${String(record['outcome'])})`,
    callsLost: 0,
    recordsLost: 0,
  });
  expect(await waitForIdleWorker(stack.ports.agentHealth)).toBe(0);
}

/**
 * livekit-sip's own count of what a call's media port received (its `call
 * statistics` line at the end of the call), found by the INVITE's Call-ID.
 */
export function bridgeMediaStats(
  stack: Stack,
  sipCallId: string,
): Readonly<Record<string, number>> | undefined {
  const line = readJsonLog(stack.runDir, 'livekit-sip.log').find(
    (l) => l.msg === 'call statistics' && l['sipCallID'] === sipCallId,
  );
  return (line?.['stats'] as { port?: Record<string, number> } | undefined)?.port;
}
