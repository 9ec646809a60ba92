import { ParticipantInfo, ParticipantInfo_Kind, Room, WebhookEvent } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';
import { decodeUui } from '../../../contracts/genesys-uui.ts';
import { answererIdentity } from '../../../contracts/hand-on.ts';
import { loadRouting } from '../../../contracts/routing.ts';
import { createCallRecovery, type RecoveryDeps } from './call-recovery.ts';

const routing = loadRouting('livekit-config/routing.yaml');
const ROOM = 'call-main-_4321_abc';
const CNV = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

const caller = new ParticipantInfo({
  identity: 'sip_4c1d',
  kind: ParticipantInfo_Kind.SIP,
  attributes: {
    'sip.callID': 'SCL_4c1dX9',
    'genesys.from': '<sip:+15559876543@10.0.0.1>',
    'genesys.to': '<sip:+18005550100@10.0.0.2>',
    'genesys.conversationId': CNV,
    'genesys.uui': `04${Buffer.from('account=12345').toString('hex')};encoding=hex`,
  },
});

function agentLeft(attributes: Record<string, string>, metadata = ''): WebhookEvent {
  return new WebhookEvent({
    event: 'participant_left',
    room: new Room({ name: ROOM, metadata }),
    participant: new ParticipantInfo({
      identity: 'agent-AJ_1',
      kind: ParticipantInfo_Kind.AGENT,
      attributes,
    }),
  });
}

function fakes(present: ParticipantInfo[] = [caller], refers: (Error | 'ok')[] = []) {
  const calls: unknown[][] = [];
  const deps: RecoveryDeps = {
    routing: withAlternate,
    settleMs: 0,
    listParticipants: async () => present,
    updateRoomMetadata: async (...a) => void calls.push(['metadata', ...a]),
    dispatchAgent: async (...a) => void calls.push(['dispatch', ...a]),
    transferCaller: async (...a) => {
      calls.push(['refer', ...a]);
      const next = refers.shift() ?? 'ok';
      if (next !== 'ok') throw next;
    },
  };
  return { deps, calls };
}

const CONVERSING = { 'gva.call': 'conversing', 'gva.route': 'main' };
const ALTERNATE = 'sip:+18005550152@127.0.0.1:5070';
const withAlternate = {
  ...routing,
  queues: {
    ...routing.queues,
    general: { ...routing.queues['general']!, alternates: [ALTERNATE] },
  },
};
const refused = (status: number) =>
  Object.assign(new Error(`SIP call failed: ${status}`), {
    name: 'SipCallError',
    sipStatusCode: status,
  });
const targetsOf = (calls: unknown[][]) =>
  calls.filter(([k]) => k === 'refer').map((c) => String(c[3]).split('?')[0]);

describe('call recovery', () => {
  it('sends a new agent with the route persona when an agent leaves mid-conversation', async () => {
    const { deps, calls } = fakes();
    const decision = await createCallRecovery(deps)(agentLeft(CONVERSING));
    expect(decision).toEqual({ action: 'redispatch', room: ROOM, attempt: 1 });
    expect(calls[0]).toEqual(['metadata', ROOM, '{"recovery":{"attempts":1}}']);
    const [, room, agentName, metadata] = calls[1] as [string, string, string, string];
    expect([room, agentName]).toEqual([ROOM, 'genesys-voice-agent']);
    expect(JSON.parse(metadata)).toEqual({
      v: 1,
      route: 'main',
      persona: 'triage',
      humanQueue: 'general',
      values: {},
      recovery: { attempt: 1 },
    });
  });

  it('gives the replacement the job the failed agent had (an outbound call keeps its context)', async () => {
    const { deps, calls } = fakes();
    const job = JSON.stringify({
      v: 1,
      route: 'main',
      persona: 'overflow',
      humanQueue: 'general',
      values: { reason: 'your order' },
      direction: 'outbound',
    });
    await createCallRecovery(deps)(agentLeft({ ...CONVERSING, 'gva.metadata': job }));
    const [, , , metadata] = calls[1] as [string, string, string, string];
    expect(JSON.parse(metadata)).toEqual({ ...JSON.parse(job), recovery: { attempt: 1 } });
  });

  it('counts attempts in the room metadata and hands the caller to the queue after the last', async () => {
    const { deps, calls } = fakes();
    const decision = await createCallRecovery(deps)(
      agentLeft(CONVERSING, '{"recovery":{"attempts":2}}'),
    );
    expect(decision).toEqual({ action: 'handoff', room: ROOM, queue: 'general' });
    const [, room, identity, referTo] = calls[1] as [string, string, string, string];
    expect([room, identity]).toEqual([ROOM, 'sip_4c1d']);
    const target = referTo.split('?')[0];
    expect(target).toBe(routing.queues['general']?.target);
    const uui = decodeURIComponent(
      new URL(referTo.replace(/^sip:/, 'http://x/')).searchParams.get('User-to-User') ?? '',
    );
    expect(decodeUui(uui, { protocolDiscriminator: 4 }).fields).toEqual({
      ai_reason: 'agent_failure',
      ai_route: 'main',
      ai_cnv: CNV,
      account: '12345',
    });
    expect(calls.some(([kind]) => kind === 'dispatch')).toBe(false);
  });

  it('reads the caller the way the agent does (contracts/call-context.ts)', async () => {
    const handOff = async (attributes: Record<string, string>) => {
      const odd = new ParticipantInfo({
        identity: 'sip_4c1d',
        kind: ParticipantInfo_Kind.SIP,
        attributes,
      });
      const { deps, calls } = fakes([odd]);
      await createCallRecovery(deps)(agentLeft(CONVERSING, '{"recovery":{"attempts":2}}'));
      const referTo = (calls.find(([kind]) => kind === 'refer') ?? [])[3] as string;
      const uui = decodeURIComponent(
        new URL(referTo.replace(/^sip:/, 'http://x/')).searchParams.get('User-to-User') ?? '',
      );
      return decodeUui(uui, { protocolDiscriminator: 4 }).fields;
    };
    const { 'genesys.uui': uui, ...rest } = caller.attributes;
    // UUI in X-User-to-User, a conversation id in upper case: the agent accepts both.
    expect(
      await handOff({
        ...rest,
        'genesys.xUui': uui ?? '',
        'genesys.conversationId': CNV.toUpperCase(),
      }),
    ).toEqual({ ai_reason: 'agent_failure', ai_route: 'main', ai_cnv: CNV, account: '12345' });
    // A conversation id that is not a UUID travels as it came, as the agent carries it.
    expect(await handOff({ ...caller.attributes, 'genesys.conversationId': 'not-a-uuid' })).toEqual(
      {
        ai_reason: 'agent_failure',
        ai_route: 'main',
        ai_cnv: 'not-a-uuid',
        account: '12345',
      },
    );
    // A participant without SIP basics is still handed over, without its context.
    expect(await handOff({ 'genesys.uui': uui ?? '' })).toEqual({
      ai_reason: 'agent_failure',
      ai_route: 'main',
    });
  });

  it('sends the reason header and tries the alternates when the queue target refuses', async () => {
    const { deps, calls } = fakes([caller], [refused(486)]);
    const decision = await createCallRecovery(deps)(
      agentLeft(CONVERSING, '{"recovery":{"attempts":2}}'),
    );
    expect(decision).toEqual({ action: 'handoff', room: ROOM, queue: 'general' });
    expect(targetsOf(calls)).toEqual([routing.queues['general']?.target, ALTERNATE]);
    for (const c of calls.filter(([k]) => k === 'refer'))
      expect(c[4]).toEqual({ 'X-AI-Transfer-Reason': 'agent_failure' });
  });

  it('sends an agent again instead of abandoning the caller when no target takes the call', async () => {
    const { deps, calls } = fakes([caller], [refused(486), refused(503)]);
    const decision = await createCallRecovery(deps)(
      agentLeft(CONVERSING, '{"recovery":{"attempts":2}}'),
    );
    expect(decision).toEqual({ action: 'redispatch', room: ROOM, attempt: 3 });
    expect(calls.some(([k]) => k === 'dispatch')).toBe(true);
  });

  it('tries no second target after a REFER Genesys may have accepted', async () => {
    const lost = Object.assign(new Error('transaction failed to complete'), { name: 'TwirpError' });
    const { deps, calls } = fakes([caller], [lost]);
    const decision = await createCallRecovery(deps)(
      agentLeft(CONVERSING, '{"recovery":{"attempts":2}}'),
    );
    expect(decision.action).toBe('none');
    expect(targetsOf(calls)).toHaveLength(1);
  });

  it('recovers a call whose agent died before naming its route (room prefix, then dialled number)', async () => {
    const byRoom = fakes();
    expect(await createCallRecovery(byRoom.deps)(agentLeft({}))).toEqual({
      action: 'redispatch',
      room: ROOM,
      attempt: 1,
    });
    const [, , , metadata] = byRoom.calls[1] as [string, string, string, string];
    expect(JSON.parse(metadata)).toMatchObject({ route: 'main', recovery: { attempt: 1 } });

    const byNumber = fakes();
    const elsewhere = new WebhookEvent({
      event: 'participant_left',
      room: new Room({ name: 'some-room' }),
      participant: new ParticipantInfo({
        identity: 'agent-AJ_1',
        kind: ParticipantInfo_Kind.AGENT,
      }),
    });
    expect((await createCallRecovery(byNumber.deps)(elsewhere)).action).toBe('redispatch');
  });

  it('sends no replacement while dispatch is handing the caller to the queue', async () => {
    const answerer = new ParticipantInfo({ identity: answererIdentity(ROOM) });
    const { deps, calls } = fakes([caller, answerer]);
    expect(await createCallRecovery(deps)(agentLeft(CONVERSING))).toEqual({
      action: 'none',
      why: 'dispatch is handing the caller to the queue',
    });
    expect(calls).toEqual([]);
  });

  it('gives up after every recovery the metadata allows', async () => {
    const { deps, calls } = fakes();
    const decision = await createCallRecovery(deps)(
      agentLeft(CONVERSING, '{"recovery":{"attempts":10}}'),
    );
    expect(decision.action).toBe('none');
    expect(calls).toEqual([]);
  });

  it.each([
    ['an agent that transferred the call', agentLeft({ ...CONVERSING, 'gva.call': 'transferred' })],
    ['an agent that ended the call', agentLeft({ ...CONVERSING, 'gva.call': 'ending' })],
    [
      'an agent leaving a bridged room',
      agentLeft(CONVERSING, '{"bridge":{"caller":"sip_4c1d","human":"human-x"}}'),
    ],
    [
      'a caller leaving',
      new WebhookEvent({
        event: 'participant_left',
        room: new Room({ name: ROOM }),
        participant: caller,
      }),
    ],
  ])('leaves alone %s', async (_, event) => {
    const { deps, calls } = fakes();
    expect((await createCallRecovery(deps)(event)).action).toBe('none');
    expect(calls).toEqual([]);
  });

  it('does nothing when the caller has gone or another agent already serves the call', async () => {
    const gone = fakes([]);
    expect(await createCallRecovery(gone.deps)(agentLeft(CONVERSING))).toEqual({
      action: 'none',
      why: 'the caller is gone',
    });
    const other = new ParticipantInfo({ identity: 'agent-AJ_2', kind: ParticipantInfo_Kind.AGENT });
    const served = fakes([caller, other]);
    expect((await createCallRecovery(served.deps)(agentLeft(CONVERSING))).action).toBe('none');
    expect([...gone.calls, ...served.calls]).toEqual([]);
  });
});
