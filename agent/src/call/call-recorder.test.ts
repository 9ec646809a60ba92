import { describe, expect, it } from 'vitest';
import { newCallRecordSchema } from '../../../contracts/call-record.ts';
import { createCallRecorder } from './call-recorder.ts';

describe('call recorder', () => {
  it('renders a record dispatch accepts, with timeline, attempts, reason and latency summary', () => {
    let t = Date.parse('2026-11-22T10:00:00Z');
    const recorder = createCallRecorder(
      {
        room: 'call-main-_4321_x',
        jobId: 'AJ_1',
        sipCallId: 'SCL_1',
        genesysConversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
        route: 'main',
        persona: 'triage',
      },
      { now: () => new Date((t += 1000)) },
    );
    recorder.event('greeted');
    for (const ms of [400, 900, 600, 700, 1500]) recorder.turnLatency(ms);
    recorder.escalation('caller_request');
    recorder.escalation('dtmf_zero'); // the first reason is the one that counts
    recorder.transferAttempt({
      queue: 'billing',
      target: 'sip:+18005550151@genesys.example',
      startedAt: new Date('2026-11-22T10:00:05Z'),
      durationMs: 212.4,
      outcome: { status: 'refused', sipStatus: 603, message: 'Decline' },
    });
    const record = recorder.finish('transferred');
    expect(recorder.finish('failed')).toBe(record);
    expect(newCallRecordSchema.parse(record)).toMatchObject({
      outcome: 'transferred',
      escalationReason: 'caller_request',
      latency: { turns: 5, p50Ms: 700, p90Ms: 1500, maxMs: 1500 },
      transfers: [{ queue: 'billing', status: 'refused', sipStatus: 603, durationMs: 212 }],
      timeline: [
        { at: '2026-11-22T10:00:01.000Z', event: 'answered' },
        { at: '2026-11-22T10:00:02.000Z', event: 'greeted' },
      ],
    });
    expect(JSON.stringify(record)).not.toMatch(/\+1555/);
  });
});
