import { EventEmitter } from 'node:events';
import { RoomEvent, TrackKind, type Room } from '@livekit/rtc-node';
import { SipCallError } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { consult, dialOutcome, type ConsultRooms, type ConsultRequest } from './consult.ts';

type Call = readonly [string, ...unknown[]];

/** A room with a caller (audio track TR_caller); the human appears when dialled. */
function fakeRoom() {
  const room = new EventEmitter() as EventEmitter & {
    remoteParticipants: Map<string, { identity: string; trackPublications: Map<string, unknown> }>;
  };
  room.remoteParticipants = new Map([
    [
      'sip_caller',
      {
        identity: 'sip_caller',
        trackPublications: new Map([
          ['TR_caller', { sid: 'TR_caller', kind: TrackKind.KIND_AUDIO }],
        ]),
      },
    ],
  ]);
  const humanJoins = () => {
    const pub = { sid: 'TR_human', kind: TrackKind.KIND_AUDIO };
    const human = { identity: 'human-1', trackPublications: new Map([['TR_human', pub]]) };
    room.remoteParticipants.set('human-1', human);
    room.emit(RoomEvent.TrackPublished, pub, human);
  };
  return { room, humanJoins };
}

function fakeRooms(): { rooms: ConsultRooms; calls: Call[] } {
  const calls: Call[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args.slice(1)]);
    };
  return {
    calls,
    rooms: {
      updateSubscriptions: record('updateSubscriptions'),
      mutePublishedTrack: record('mutePublishedTrack'),
      updateRoomMetadata: record('updateRoomMetadata'),
      removeParticipant: record('removeParticipant'),
    },
  };
}

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

function request(overrides: Partial<ConsultRequest>, events: string[]): ConsultRequest {
  return {
    roomName: 'call-main-_4321_x',
    callerIdentity: 'sip_caller',
    humanIdentity: 'human-1',
    dial: async () => undefined,
    speakSummary: async () => void events.push('summary'),
    startHold: async () => {
      events.push('hold on');
      return { trackSid: 'TR_hold', stop: async () => void events.push('hold off') };
    },
    agentVoiceTrackSid: () => 'TR_voice',
    ...overrides,
  };
}

describe('warm transfer consult', () => {
  it('isolates caller and human until the summary is spoken, then connects them', async () => {
    const { room, humanJoins } = fakeRoom();
    const { rooms, calls } = fakeRooms();
    const events: string[] = [];
    const result = await consult(
      room as unknown as Room,
      rooms,
      log,
      request(
        {
          dial: async () => {
            humanJoins();
            events.push('answered');
          },
        },
        events,
      ),
    );

    expect(result.outcome).toEqual({ status: 'completed' });
    expect(events).toEqual(['hold on', 'answered', 'summary', 'hold off']);
    const names = calls.map((c) => JSON.stringify(c));
    const index = (c: Call) => names.indexOf(JSON.stringify(c));
    // Before the human can answer: the caller is muted and cannot hear the agent's voice.
    expect(index(['mutePublishedTrack', 'sip_caller', 'TR_caller', true])).toBe(0);
    expect(index(['updateSubscriptions', 'sip_caller', ['TR_voice'], false])).toBe(1);
    // The human's track is kept from the caller as soon as it appears, and the hold from the human.
    const unsubscribeHuman = index(['updateSubscriptions', 'sip_caller', ['TR_human'], false]);
    expect(unsubscribeHuman).toBe(2);
    expect(index(['updateSubscriptions', 'human-1', ['TR_hold'], false])).toBeGreaterThan(2);
    // The merge comes last: caller hears the human, is unmuted, the room becomes a bridge.
    expect(calls.slice(-3)).toEqual([
      ['updateSubscriptions', 'sip_caller', ['TR_human'], true],
      ['mutePublishedTrack', 'sip_caller', 'TR_caller', false],
      ['updateRoomMetadata', '{"bridge":{"caller":"sip_caller","human":"human-1"}}'],
    ]);
    expect(room.listenerCount(RoomEvent.TrackPublished)).toBe(0);
  });

  it('returns the caller to the agent when the human declines', async () => {
    const { room, humanJoins } = fakeRoom();
    const { rooms, calls } = fakeRooms();
    const events: string[] = [];
    const declined = new SipCallError('twirp error', 'busy', 429, 'resource_exhausted', {
      sip_status_code: '486',
      sip_status: 'Busy Here',
    });
    const result = await consult(
      room as unknown as Room,
      rooms,
      log,
      request(
        {
          dial: async () => {
            humanJoins();
            throw declined;
          },
        },
        events,
      ),
    );

    expect(result.outcome).toMatchObject({ status: 'refused', sipStatus: 486 });
    expect(events).toEqual(['hold on', 'hold off']);
    expect(calls).toContainEqual(['removeParticipant', 'human-1']);
    expect(calls.slice(-2)).toEqual([
      ['mutePublishedTrack', 'sip_caller', 'TR_caller', false],
      ['updateSubscriptions', 'sip_caller', ['TR_voice'], true],
    ]);
    expect(calls.some(([name]) => name === 'updateRoomMetadata')).toBe(false);
  });

  it('refuses to start without the caller’s audio track', async () => {
    const { room } = fakeRoom();
    room.remoteParticipants.clear();
    const { rooms, calls } = fakeRooms();
    const result = await consult(room as unknown as Room, rooms, log, request({}, []));
    expect(result.outcome.status).toBe('error');
    expect(calls).toEqual([]);
  });
});

describe('dialOutcome', () => {
  it('reads a declined call, a ringing timeout and other errors', () => {
    expect(
      dialOutcome(new SipCallError('e', 'm', 403, 'permission_denied', { sip_status_code: '603' })),
    ).toMatchObject({ status: 'refused', sipStatus: 603 });
    expect(dialOutcome(new Error('sip request timed out'))).toEqual({
      status: 'timed_out',
      message: 'the human did not answer in time',
    });
    expect(dialOutcome(new Error('no route'))).toEqual({ status: 'error', message: 'no route' });
  });
});
