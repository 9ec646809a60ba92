import { RemoteParticipant, Room, RoomEvent } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import type { DigitSpec } from './collector.ts';
import { ManualClock } from './manual-clock.ts';
import { collectFromRoom, onDtmf } from './room-dtmf.ts';

const spec: DigitSpec = {
  minDigits: 4,
  maxDigits: 4,
  interDigitTimeoutMs: 3_000,
  overallTimeoutMs: 15_000,
  maxAttempts: 3,
};

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
  it("collects only the given participant's keys and then removes its listener", async () => {
    const room = new Room();
    const sip = caller('sip_+15550001111');
    const other = caller('supervisor');
    const result = collectFromRoom(room, sip.identity, spec, new ManualClock());
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(1);

    press(room, other, '9999');
    press(room, sip, '1234');
    expect(await result).toMatchObject({ status: 'collected', value: '1234' });
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(0);
  });

  it('removes its listener after a timeout too', async () => {
    const room = new Room();
    const clock = new ManualClock();
    const result = collectFromRoom(room, 'sip_caller', spec, clock, 2);
    clock.advance(spec.overallTimeoutMs);
    expect(await result).toEqual({ status: 'timeout', kind: 'overall', attempt: 2 });
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(0);
  });

  it('onDtmf returns a working unsubscribe', () => {
    const room = new Room();
    const sip = caller('sip_caller');
    const keys: string[] = [];
    const stop = onDtmf(room, sip.identity, (k) => keys.push(k));
    press(room, sip, '1#');
    stop();
    press(room, sip, '2');
    expect(keys).toEqual(['1', '#']);
    expect(room.listenerCount(RoomEvent.DtmfReceived)).toBe(0);
  });
});
