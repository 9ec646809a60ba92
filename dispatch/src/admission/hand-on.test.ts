import { ParticipantInfo, ParticipantInfo_Kind, Room, WebhookEvent } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';
import { decodeUui } from '../../../contracts/genesys-uui.ts';
import { loadRouting, type RoutingConfig } from '../../../contracts/routing.ts';
import type { CreateCallRecordResult, NewCall } from '../store/store.ts';
import { createNoAgentHandOn, HAND_ON_LEAD_MS, type HandOnDeps } from './hand-on.ts';

const shipped = loadRouting('livekit-config/routing.yaml');
const ALTERNATE = 'sip:+18005550159@genesys.example';
const routing: RoutingConfig = {
  ...shipped,
  inboundTrunk: { ...shipped.inboundTrunk, whenNoAgent: 'queue' },
  queues: {
    ...shipped.queues,
    general: { ...shipped.queues['general']!, alternates: [ALTERNATE] },
  },
};
const ROOM = 'call-main-_4321_abc';
const CNV = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

function caller(status: string): ParticipantInfo {
  return new ParticipantInfo({
    identity: 'sip_4c1d',
    kind: ParticipantInfo_Kind.SIP,
    attributes: {
      'sip.callID': 'SCL_4c1dX9',
      'sip.callStatus': status,
      'genesys.from': '<sip:+15559876543@10.0.0.1>',
      'genesys.to': '<sip:+18005550100@10.0.0.2>',
      'genesys.conversationId': CNV,
    },
  });
}

const joined = (p: ParticipantInfo = caller('ringing')) =>
  new WebhookEvent({ event: 'participant_joined', room: new Room({ name: ROOM }), participant: p });

/** A FAKE room: the caller rings until dispatch answers, then is `active`. */
function fakes(
  opts: {
    agent?: boolean;
    /** An agent that joins once dispatch has claimed the room (it joined in between the checks). */
    agentAtClaim?: boolean;
    refers?: (Error | 'ok')[];
    config?: RoutingConfig;
  } = {},
) {
  let answered = false;
  let agent = opts.agent ?? false;
  const events: string[] = [];
  const refers: { referTo: string; headers: Readonly<Record<string, string>> }[] = [];
  const records: NewCall[] = [];
  const counted: string[] = [];
  const outcomes = [...(opts.refers ?? ['ok'])];
  const deps: HandOnDeps = {
    routing: opts.config ?? routing,
    afterMs: 0,
    pollMs: 1,
    answerTimeoutMs: 200,
    listParticipants: async () => [
      caller(answered ? 'active' : 'ringing'),
      ...(agent
        ? [new ParticipantInfo({ identity: 'agent-AJ_1', kind: ParticipantInfo_Kind.AGENT })]
        : []),
    ],
    claim: async () => {
      events.push('claim');
      if (opts.agentAtClaim) agent = true;
      return {
        answer: async () => {
          answered = true;
          events.push('answer');
        },
        leave: async () => void events.push('leave'),
      };
    },
    transferCaller: async (_room, _identity, referTo, headers) => {
      refers.push({ referTo, headers });
      const next = outcomes.shift() ?? 'ok';
      if (next instanceof Error) throw next;
    },
    store: async (call): Promise<CreateCallRecordResult> => {
      records.push(call);
      return { status: 'created', record: { ...call, id: 'r1', createdAt: call.endedAt } };
    },
    count: (route, result) => counted.push(`${route} ${result}`),
  };
  return { deps, events, refers, records, counted };
}

describe('a caller no agent took, handed to the queue', () => {
  it('acts the lead time before the ring timeout counted from the join, however late the webhook', async () => {
    const handOn = (f: ReturnType<typeof fakes>) =>
      createNoAgentHandOn({ ...f.deps, afterMs: 400 });
    const first = fakes();
    const late = caller('ringing');
    late.joinedAtMs = BigInt(Date.now() - 300);
    let began = Date.now();
    expect((await handOn(first)(joined(late))).action).toBe('handed_on');
    expect(Date.now() - began).toBeLessThan(300);
    expect(first.records[0]?.startedAt).toBe(new Date(Number(late.joinedAtMs)).toISOString());
    // A join stamped in the future (another clock) waits no longer than afterMs.
    const second = fakes();
    const ahead = caller('ringing');
    ahead.joinedAtMs = BigInt(Date.now() + 60_000);
    began = Date.now();
    expect((await handOn(second)(joined(ahead))).action).toBe('handed_on');
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('leaves the default lead before the shipped 3 s ring timeout', () => {
    expect(shipped.inboundTrunk.ringTimeoutSeconds * 1000 - HAND_ON_LEAD_MS).toBe(1000);
  });

  it('is answered, REFERred to the route queue with reason no_agent, and recorded', async () => {
    const f = fakes();
    expect(await createNoAgentHandOn(f.deps)(joined())).toEqual({
      action: 'handed_on',
      room: ROOM,
      queue: 'general',
    });
    expect(f.events).toEqual(['claim', 'answer', 'leave']);
    expect(f.refers).toHaveLength(1);
    expect(f.refers[0]?.referTo.startsWith(routing.queues['general']!.target)).toBe(true);
    expect(f.refers[0]?.headers).toEqual({ 'X-AI-Transfer-Reason': 'no_agent' });
    const uui = decodeURIComponent(f.refers[0]?.referTo.split('User-to-User=')[1] ?? '');
    expect(decodeUui(uui, { protocolDiscriminator: 4 }).fields).toMatchObject({
      ai_reason: 'no_agent',
      ai_route: 'main',
      ai_cnv: CNV,
    });
    expect(f.records[0]).toMatchObject({
      jobId: 'none',
      outcome: 'transferred',
      escalationReason: 'no_agent',
      genesysConversationId: CNV,
      transfers: [{ queue: 'general', status: 'completed' }],
    });
    expect(f.records[0]?.timeline.map((t) => t.event)).toEqual([
      'ringing',
      'answered',
      'transferred',
    ]);
    expect(f.counted).toEqual(['main transferred']);
  });

  it('tries the queue alternates, and records a failure when none takes the caller', async () => {
    const refused = Object.assign(new Error('call transfer failed: 486 Busy Here'), {
      sipStatusCode: 486,
    });
    const f = fakes({ refers: [refused, refused] });
    expect((await createNoAgentHandOn(f.deps)(joined())).action).toBe('failed');
    expect(f.refers.map((r) => r.referTo.split('?')[0])).toEqual([
      routing.queues['general']!.target.split('?')[0],
      ALTERNATE,
    ]);
    expect(f.records[0]).toMatchObject({ outcome: 'failed', escalationReason: 'no_agent' });
    expect(f.events).toEqual(['claim', 'answer', 'leave']);
  });

  it('leaves the call alone when an agent came, the trunk refuses, or it is not a ringing caller', async () => {
    const withAgent = fakes({ agent: true });
    expect((await createNoAgentHandOn(withAgent.deps)(joined())).action).toBe('none');
    const refusing = fakes({ config: shipped });
    expect((await createNoAgentHandOn(refusing.deps)(joined())).action).toBe('none');
    const active = fakes();
    expect((await createNoAgentHandOn(active.deps)(joined(caller('active')))).action).toBe('none');
    for (const f of [withAgent, refusing, active]) {
      expect(f.events).toEqual([]);
      expect(f.records).toEqual([]);
    }
  });

  it('backs off, without answering, when an agent joined just before its claim', async () => {
    const f = fakes({ agentAtClaim: true });
    expect(await createNoAgentHandOn(f.deps)(joined())).toEqual({
      action: 'none',
      why: 'an agent is taking the call',
    });
    expect(f.events).toEqual(['claim', 'leave']);
    expect(f.refers).toEqual([]);
    expect(f.records).toEqual([]);
  });
});
