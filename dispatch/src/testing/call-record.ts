/** Test helper: call records as an agent sends them. */
import { newCallRecordSchema, type NewCallRecord } from '../../../contracts/call-record.ts';
import type { NewCall } from '../store/store.ts';

export const CONVERSATION_ID = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

/**
 * The body an agent POSTs to /v1/calls/records, with `overrides` applied.
 *
 * @example
 * sampleCallRecord({ jobId: 'AJ_2', outcome: 'failed' });
 */
export function sampleCallRecord(overrides: Partial<NewCallRecord> = {}): NewCallRecord {
  return {
    room: 'call-_+1800555_abc',
    jobId: 'AJ_1',
    sipCallId: 'SCL_abc',
    genesysConversationId: CONVERSATION_ID,
    route: 'main',
    persona: 'triage',
    startedAt: '2026-01-05T10:00:00.000Z',
    endedAt: '2026-01-05T10:03:20.000Z',
    outcome: 'transferred',
    escalationReason: 'caller_request',
    transfers: [
      {
        queue: 'general',
        target: 'sip:+18005550150@byoc.example',
        startedAt: '2026-01-05T10:03:00.000Z',
        durationMs: 1800,
        status: 'completed',
        sipStatus: 202,
      },
    ],
    latency: { turns: 6, p50Ms: 720, p90Ms: 1100, maxMs: 1500 },
    timeline: [
      { at: '2026-01-05T10:00:00.500Z', event: 'answered' },
      { at: '2026-01-05T10:03:00.000Z', event: 'escalated' },
    ],
    ...overrides,
  };
}

/** {@link sampleCallRecord} as dispatch stores it (validated, defaults applied). */
export function sampleCall(overrides: Partial<NewCallRecord> = {}): NewCall {
  return newCallRecordSchema.parse(sampleCallRecord(overrides));
}
