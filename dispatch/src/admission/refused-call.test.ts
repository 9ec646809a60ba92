import { ParticipantInfo, ParticipantInfo_Kind, Room, WebhookEvent } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';
import { newCallRecordSchema } from '../../../contracts/call-record.ts';
import { loadRouting } from '../../../contracts/routing.ts';
import type { CreateCallRecordResult, NewCall } from '../store/store.ts';
import { NO_ROUTE, refusedCallRecord, refusedCalls } from './refused-call.ts';

const routing = loadRouting('livekit-config/routing.yaml');
const CNV = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const JOINED_MS = Date.parse('2026-12-02T05:00:00.000Z');

const GENESYS_ATTRIBUTES = {
  'sip.callID': 'SCL_4c1dX9',
  'genesys.from': '<sip:+15559876543@10.0.0.1>',
  'genesys.to': '<sip:+18005550100@10.0.0.2>',
  'genesys.conversationId': CNV,
};

function left(
  attributes: Record<string, string>,
  opts: { kind?: ParticipantInfo_Kind; room?: string; event?: string } = {},
): WebhookEvent {
  return new WebhookEvent({
    event: opts.event ?? 'participant_left',
    createdAt: BigInt(JOINED_MS / 1000 + 3),
    room: new Room({ name: opts.room ?? 'call-main-_+15559876543_abc' }),
    participant: new ParticipantInfo({
      identity: 'sip_4c1d',
      kind: opts.kind ?? ParticipantInfo_Kind.SIP,
      joinedAtMs: BigInt(JOINED_MS),
      attributes,
    }),
  });
}

describe('the record of a call no agent took', () => {
  it('is written when the caller left the room still ringing', () => {
    const record = refusedCallRecord(
      routing,
      left({ ...GENESYS_ATTRIBUTES, 'sip.callStatus': 'ringing' }),
    );
    expect(record).toMatchObject({
      room: 'call-main-_+15559876543_abc',
      jobId: 'none',
      sipCallId: 'SCL_4c1dX9',
      genesysConversationId: CNV,
      route: 'main',
      outcome: 'refused',
      startedAt: '2026-12-02T05:00:00.000Z',
      latency: { turns: 0 },
    });
    expect(record?.timeline.map((t) => t.event)).toEqual(['ringing', 'refused']);
    // It is a record an agent could have posted: the same contract.
    expect(newCallRecordSchema.safeParse(record).success).toBe(true);
  });

  it('is not written for a call that was answered, or a caller who hung up while ringing', () => {
    for (const status of ['active', 'hangup', 'dialing']) {
      expect(
        refusedCallRecord(routing, left({ ...GENESYS_ATTRIBUTES, 'sip.callStatus': status })),
      ).toBeUndefined();
    }
  });

  it('is not written for agents, humans joining, or other events', () => {
    const ringing = { ...GENESYS_ATTRIBUTES, 'sip.callStatus': 'ringing' };
    expect(
      refusedCallRecord(routing, left(ringing, { kind: ParticipantInfo_Kind.AGENT })),
    ).toBeUndefined();
    expect(
      refusedCallRecord(routing, left(ringing, { event: 'participant_joined' })),
    ).toBeUndefined();
  });

  it('keeps the record of a call with hostile or missing Genesys ids', () => {
    const record = refusedCallRecord(
      routing,
      left(
        {
          'sip.callStatus': 'ringing',
          'sip.callID': 'x'.repeat(5000),
          'genesys.conversationId': 'not-a-uuid',
        },
        { room: 'someone-elses-room' },
      ),
    );
    expect(record).toMatchObject({ route: NO_ROUTE, persona: NO_ROUTE, outcome: 'refused' });
    expect(record?.sipCallId).toHaveLength(200);
    expect(record?.genesysConversationId).toBeUndefined();
    expect(newCallRecordSchema.safeParse(record).success).toBe(true);
  });
});

describe('the refused-call listener', () => {
  it('stores and counts a refusal once, however often LiveKit sends the webhook', async () => {
    const stored = new Map<string, NewCall>();
    const counted: string[] = [];
    const listener = refusedCalls({
      routing,
      store: async (call): Promise<CreateCallRecordResult> => {
        const key = `${call.room}/${call.jobId}`;
        const status = stored.has(key) ? 'duplicate' : 'created';
        stored.set(key, call);
        return { status, record: { ...call, id: key, createdAt: call.endedAt } };
      },
      count: (route) => counted.push(route),
    });
    const event = left({ ...GENESYS_ATTRIBUTES, 'sip.callStatus': 'ringing' });
    expect(await listener(event)).toBe('created');
    expect(await listener(event)).toBe('duplicate');
    expect(
      await listener(left({ ...GENESYS_ATTRIBUTES, 'sip.callStatus': 'active' })),
    ).toBeUndefined();
    expect(stored.size).toBe(1);
    expect(counted).toEqual(['main']);
  });
});
