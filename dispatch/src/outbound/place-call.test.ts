import { ServerError, SipCallError } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OWNER_TAG } from '../../../contracts/sip-attributes.ts';
import { ownershipMetadata } from '../provision/desired.ts';
import {
  CALLEE_IDENTITY,
  dialFailure,
  findOwnedOutboundTrunk,
  placeCallWith,
  type LiveKitCalls,
  type PlaceCallRequest,
} from './place-call.ts';

const REQ: PlaceCallRequest = {
  room: 'out-main-abc123',
  trunkId: 'ST_owned',
  to: '+15551234567',
  fromNumber: '+18005550100',
  ringSeconds: 20,
  agentName: 'genesys-voice-agent',
  metadata: '{"v":1,"route":"main","persona":"triage","humanQueue":"general","values":{}}',
};
const FAST = { agentJoinTimeoutMs: 100, pollMs: 5 };
const AGENT = { identity: 'agent-AJ_x', kind: 4 };
const CALLEE = { identity: CALLEE_IDENTITY, kind: 3 };

const busy = () =>
  new SipCallError('twirp', 'INVITE failed', 400, 'failed_precondition', {
    sip_status_code: '486',
    sip_status: 'Busy Here',
  });

/** A LiveKit where every call succeeds and the agent is in the room on the second look. */
function fakeLiveKit(overrides: Partial<LiveKitCalls> = {}) {
  const order: string[] = [];
  let looks = 0;
  const lk = {
    listSipOutboundTrunk: vi.fn<LiveKitCalls['listSipOutboundTrunk']>(async () => []),
    createRoom: vi.fn<LiveKitCalls['createRoom']>(async () => order.push('createRoom')),
    deleteRoom: vi.fn<LiveKitCalls['deleteRoom']>(async () => {
      order.push('deleteRoom');
    }),
    listParticipants: vi.fn<LiveKitCalls['listParticipants']>(async () =>
      looks++ === 0 ? [CALLEE] : [CALLEE, AGENT],
    ),
    createSipParticipant: vi.fn<LiveKitCalls['createSipParticipant']>(async () => {
      order.push('createSipParticipant');
      return { sipCallId: 'SCL_abc123' };
    }),
    createDispatch: vi.fn<LiveKitCalls['createDispatch']>(async () => order.push('createDispatch')),
    ...overrides,
  };
  return { lk, order };
}

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('placeCallWith', () => {
  it('creates the room, dials and waits for the answer, then dispatches the agent', async () => {
    const { lk, order } = fakeLiveKit();
    const result = await placeCallWith(lk, FAST)(REQ);
    expect(result).toEqual({ status: 'answered', sipCallId: 'SCL_abc123' });
    expect(order).toEqual(['createRoom', 'createSipParticipant', 'createDispatch']);
    expect(lk.createRoom).toHaveBeenCalledWith({
      name: 'out-main-abc123',
      emptyTimeout: 60,
      departureTimeout: 10,
    });
    expect(lk.createSipParticipant).toHaveBeenCalledWith(
      'ST_owned',
      '+15551234567',
      'out-main-abc123',
      {
        participantIdentity: 'callee',
        participantName: 'callee',
        waitUntilAnswered: true,
        ringingTimeout: 20,
        timeout: 25,
        fromNumber: '+18005550100',
      },
    );
    expect(lk.createDispatch).toHaveBeenCalledWith('out-main-abc123', 'genesys-voice-agent', {
      metadata: REQ.metadata,
    });
    expect(lk.listParticipants).toHaveBeenCalledTimes(2);
    expect(lk.deleteRoom).not.toHaveBeenCalled();
  });

  it('leaves the caller id to the trunk when none is given', async () => {
    const { lk } = fakeLiveKit();
    await placeCallWith(lk, FAST)({ ...REQ, fromNumber: undefined });
    expect(vi.mocked(lk.createSipParticipant).mock.calls[0]?.[3]).not.toHaveProperty('fromNumber');
  });

  it('reports the SIP status of a refused call and deletes the room, never dispatching', async () => {
    const { lk, order } = fakeLiveKit({
      createSipParticipant: async () => {
        throw busy();
      },
    });
    const result = await placeCallWith(lk, FAST)(REQ);
    expect(result).toEqual({ status: 'failed', sipStatus: 486, reason: 'Busy Here' });
    expect(order).toEqual(['createRoom', 'deleteRoom']);
    expect(lk.deleteRoom).toHaveBeenCalledWith('out-main-abc123');
  });

  it('reports a call that rang out as no_answer and deletes the room', async () => {
    const { lk, order } = fakeLiveKit({
      createSipParticipant: async () => {
        throw new ServerError('twirp', 'sip request timed out', 499, 'canceled');
      },
    });
    expect(await placeCallWith(lk, FAST)(REQ)).toEqual({ status: 'no_answer' });
    expect(order).toEqual(['createRoom', 'deleteRoom']);
  });

  it('reports other dial errors with the number masked, and deletes the room', async () => {
    const { lk, order } = fakeLiveKit({
      createSipParticipant: async () => {
        throw new ServerError(
          'twirp',
          'cannot dial +15551234567: no SIP service',
          503,
          'unavailable',
        );
      },
    });
    const result = await placeCallWith(lk, FAST)(REQ);
    expect(result).toEqual({
      status: 'error',
      message: 'cannot dial +•••••••••67: no SIP service',
    });
    expect(order).toEqual(['createRoom', 'deleteRoom']);
  });

  it('does not dial when the room cannot be created', async () => {
    const { lk } = fakeLiveKit({
      createRoom: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
      },
    });
    const result = await placeCallWith(lk, FAST)(REQ);
    expect(result).toEqual({ status: 'error', message: 'connect ECONNREFUSED 127.0.0.1:7880' });
    expect(lk.createSipParticipant).not.toHaveBeenCalled();
  });

  it('hangs up (deletes the room) when no agent joins the answered call', async () => {
    const { lk, order } = fakeLiveKit({ listParticipants: async () => [CALLEE] });
    expect(await placeCallWith(lk, FAST)(REQ)).toEqual({ status: 'agent_unavailable' });
    expect(order).toEqual(['createRoom', 'createSipParticipant', 'createDispatch', 'deleteRoom']);
  });

  it('hangs up when the agent cannot be dispatched', async () => {
    const { lk, order } = fakeLiveKit({
      createDispatch: async () => {
        throw new ServerError('twirp', 'room not found', 404, 'not_found');
      },
    });
    expect(await placeCallWith(lk, FAST)(REQ)).toEqual({ status: 'agent_unavailable' });
    expect(order).toEqual(['createRoom', 'createSipParticipant', 'deleteRoom']);
  });

  it('still reports the failure when deleting the room fails', async () => {
    const { lk } = fakeLiveKit({
      createSipParticipant: async () => {
        throw busy();
      },
      deleteRoom: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    expect(await placeCallWith(lk, FAST)(REQ)).toMatchObject({ status: 'failed', sipStatus: 486 });
  });
});

describe('dialFailure', () => {
  it.each([
    ['a SIP status', busy(), { status: 'failed', sipStatus: 486, reason: 'Busy Here' }],
    [
      'a SIP status without reason',
      new SipCallError('twirp', 'x', 400, undefined, { sip_status_code: '603' }),
      { status: 'failed', sipStatus: 603, reason: '' },
    ],
    [
      'livekit-sip cancelling at the ring timeout',
      new ServerError('twirp', 'sip request timed out', 499, 'canceled'),
      { status: 'no_answer' },
    ],
    [
      'the request deadline',
      new ServerError('twirp', 'deadline exceeded', 504, 'deadline_exceeded'),
      { status: 'no_answer' },
    ],
    [
      "the SDK's own timeout",
      new DOMException('The operation timed out.', 'TimeoutError'),
      { status: 'no_answer' },
    ],
    [
      'anything else',
      new ServerError('twirp', 'object cannot be found', 404, 'not_found'),
      { status: 'error', message: 'object cannot be found' },
    ],
    [
      'livekit-sip shutting down',
      new ServerError('twirp', 'service shutting down', 499, 'canceled'),
      { status: 'error', message: 'service shutting down' },
    ],
    ['a non-error', 'boom', { status: 'error', message: 'boom' }],
  ])('reads %s', (_label, err, expected) => {
    expect(dialFailure(err)).toEqual(expected);
  });
});

describe('findOwnedOutboundTrunk', () => {
  it('finds the outbound trunk dispatch owns among others', async () => {
    const trunks = [
      { sipTrunkId: 'ST_foreign', metadata: 'created by hand' },
      {
        sipTrunkId: 'ST_other_owner',
        metadata: JSON.stringify({ owner: 'someone-else', key: 'outbound-trunk', hash: 'h' }),
      },
      { sipTrunkId: 'ST_wrong_key', metadata: ownershipMetadata('inbound-trunk', 'h') },
      { sipTrunkId: 'ST_owned', metadata: ownershipMetadata('outbound-trunk', 'h') },
    ];
    expect(JSON.parse(trunks[3]?.metadata ?? '')).toMatchObject({ owner: OWNER_TAG });
    expect(await findOwnedOutboundTrunk({ listSipOutboundTrunk: async () => trunks })).toBe(
      'ST_owned',
    );
  });

  it('is undefined when there is none', async () => {
    expect(
      await findOwnedOutboundTrunk({
        listSipOutboundTrunk: async () => [{ sipTrunkId: 'ST_foreign', metadata: '' }],
      }),
    ).toBeUndefined();
  });
});
