/**
 * LiveKit room → keypad keys. SIP callers' presses arrive as
 * `RoomEvent.DtmfReceived`; only the given participant's presses count
 * (call/keypad.ts feeds them to a digit collector).
 */
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';

/** The part of a `Room` this module uses. */
export type DtmfRoom = Pick<Room, 'on' | 'off'>;

/**
 * Calls `onKey(digit)` for each DTMF key `identity` sends; returns the unsubscribe function.
 *
 * @example
 * const stop = onDtmf(ctx.room, callerIdentity, (key) => collector.press(key));
 * try { await collector.result; } finally { stop(); }
 */
export function onDtmf(room: DtmfRoom, identity: string, onKey: (key: string) => void): () => void {
  const listener = (_code: number, digit: string, participant: RemoteParticipant) => {
    if (participant.identity === identity) onKey(digit);
  };
  room.on(RoomEvent.DtmfReceived, listener);
  return () => void room.off(RoomEvent.DtmfReceived, listener);
}
