import { describe, expect, it } from 'vitest';
import {
  callOutcomeSchema,
  handoffReasonSchema,
  isHandoffReason,
  policyHandoffReasonSchema,
} from './call-outcome.ts';
import { newCallRecordSchema } from './call-record.ts';

const record = {
  room: 'call-main-x',
  jobId: 'AJ_1',
  sipCallId: 'SCL_1',
  route: 'main',
  persona: 'triage',
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: '2026-12-01T10:01:00.000Z',
  outcome: 'transferred',
  latency: { turns: 0 },
};

describe('reason codes and outcomes', () => {
  it('has the policy reasons inside the one reason list', () => {
    for (const reason of policyHandoffReasonSchema.options)
      expect(handoffReasonSchema.options).toContain(reason);
  });

  it("includes dispatch's agent_failure, and a call record takes every reason", () => {
    expect(isHandoffReason('agent_failure')).toBe(true);
    for (const escalationReason of handoffReasonSchema.options)
      expect(newCallRecordSchema.safeParse({ ...record, escalationReason }).success).toBe(true);
    expect(newCallRecordSchema.safeParse({ ...record, escalationReason: 'bored' }).success).toBe(
      false,
    );
  });

  it('takes the call outcome from the same module', () => {
    for (const outcome of callOutcomeSchema.options)
      expect(newCallRecordSchema.safeParse({ ...record, outcome }).success).toBe(true);
    expect(isHandoffReason('transferred')).toBe(false);
  });
});
