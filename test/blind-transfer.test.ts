/**
 * Blind transfer failure paths against the real stack: Genesys (sipp) refuses
 * the REFER, reports a failed transfer in its NOTIFY, or never reports. The
 * caller must never be dropped: the queue's alternate is tried, and when
 * nothing completes the agent stays on the line and says so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioStats } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog } from './harness/logs.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { REPO_ROOT } from './harness/tools.ts';
import { startStack, type Stack } from './harness/stack.ts';

const PRIMARY = 'sip:+18005550150@127.0.0.1:5070';
const ALTERNATE = 'sip:+18005550159@127.0.0.1:5070';

type Attempt = {
  target: string;
  durationMs: number;
  outcome: { status: string; sipStatus?: number; message?: string };
};

describe('blind transfer when Genesys does not take the call', () => {
  let stack: Stack;
  const calls: Record<string, { report: GenesysCallReport; attempts: Attempt[] }> = {};

  const call = async (scenario: string, conversationId: string) => {
    // The caller only presses 0: speech the persona acts on would start transfers of its own.
    const report = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario,
      conversationId,
      speech: '',
    });
    const attempts = readJsonLog(stack.runDir, 'agent.log')
      .filter(
        (l) =>
          l.msg === 'transfer attempt finished' && l['genesysConversationId'] === conversationId,
      )
      .map((l) => l['attempt'] as Attempt);
    return { report, attempts };
  };

  beforeAll(async () => {
    stack = await startStack({
      slot: 4,
      name: 'test-blind-transfer',
      routingFile: join(REPO_ROOT, 'test/fixtures/routing-transfers.yaml'),
    });
    calls['refused'] = await call(
      'genesys-refer-refused.xml',
      '11111111-1111-4111-8111-111111111111',
    );
    calls['notify'] = await call(
      'genesys-refer-notify-fails.xml',
      '22222222-2222-4222-8222-222222222222',
    );
    calls['silent'] = await call(
      'genesys-refer-no-notify.xml',
      '33333333-3333-4333-8333-333333333333',
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const refersOf = (r: GenesysCallReport) =>
    r.sipp.messages.filter((m) => m.direction === 'received' && m.method === 'REFER');

  it('tries the alternate target after Genesys refuses the REFER with 603', () => {
    const { report, attempts } = calls['refused']!;
    expect(report.sipp.failures).toEqual([]);
    expect(report.sipp.exitCode).toBe(0);
    expect(
      refersOf(report).map(
        (m) => /<([^?>]+)/.exec(m.headers.find(([k]) => k === 'Refer-To')?.[1] ?? '')?.[1],
      ),
    ).toEqual([PRIMARY, ALTERNATE]);
    expect(attempts.map((a) => [a.target, a.outcome.status, a.outcome.sipStatus])).toEqual([
      [PRIMARY, 'refused', 603],
      [ALTERNATE, 'completed', undefined],
    ]);
    expect(report.byeReceived).toBe(true);
  });

  it('tries the alternate target when the NOTIFY reports the transfer failed', () => {
    const { report, attempts } = calls['notify']!;
    expect(report.sipp.failures).toEqual([]);
    expect(report.sipp.exitCode).toBe(0);
    expect(attempts.map((a) => [a.target, a.outcome.status, a.outcome.sipStatus])).toEqual([
      [PRIMARY, 'failed', 486],
      [ALTERNATE, 'completed', undefined],
    ]);
    expect(report.byeReceived).toBe(true);
  });

  it('keeps the caller and tells them when Genesys never reports the outcome', () => {
    const { report, attempts } = calls['silent']!;
    expect(report.sipp.failures).toEqual([]);
    expect(report.sipp.exitCode).toBe(0);
    // livekit-sip v1.8.0 read the 202 (over UDP its REFER transaction lives on for
    // Timer D, 32 s, after the final response) and then waits for a NOTIFY that
    // never comes: the agent's own transfer timeout (5 s in the routing file) ends
    // the wait. Genesys took the REFER but the call never moved: timed out.
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.target).toBe(PRIMARY);
    expect(attempts[0]?.outcome).toEqual({ status: 'timed_out', message: 'no outcome within 5 s' });
    expect(attempts[0]?.durationMs).toBeGreaterThanOrEqual(5000);
    expect(attempts[0]?.durationMs).toBeLessThan(6000);
    // No second REFER: after an accepted REFER the call may be moving, so alternates are not tried.
    expect(refersOf(report)).toHaveLength(1);
    const referAt = refersOf(report)[0]!.time;
    const afterRefer = report.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > referAt,
    );
    expect(audioStats(pcmuAudio(afterRefer)).voicedMs).toBeGreaterThan(1000);
  });
});
