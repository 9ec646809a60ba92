import { RemoteParticipant, Room, RoomEvent } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { onDtmf } from './room-dtmf.ts';

/**
 * A real, unconnected `Room` and a real `RemoteParticipant` (both construct
 * offline). The participant's protobuf info is given as a plain object, hence
 * the cast: its `Message` class lives in an undeclared transitive package.
 */
function caller(identity: string): RemoteParticipant {
  const owned = { handle: { id: 0n }, info: { identity, sid: `PA_${identity}` } };
  return new RemoteParticipant(
    owned as unknown as ConstructorParameters<typeof RemoteParticipant>[0],
  );
}

function press(room: Room, from: RemoteParticipant, keys: string) {
  for (const k of keys) room.emit(RoomEvent.DtmfReceived, k.charCodeAt(0), k, from);
}

describe('room DTMF adapter', () => {
  it('onDtmf returns a working unsubscribe', () => {
    const room = new Room();
    const sip = caller('sip_caller');
    const keys: string[] = [];
    const stop = onDtmf(room, sip.identity, (k) => keys.push(k));
    press(room, caller('supervisor'), '9');
    press(room, sip, '1#');
    stop();
    press(room, sip, '2');
    expect(keys).toEqual(['1', '#']);
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(0);
  });
});
