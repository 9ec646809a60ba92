/**
 * LiveKit room → keypad keys. SIP callers' presses arrive as
 * `RoomEvent.DtmfReceived`; only the given participant's presses count
 * (call/keypad.ts feeds them to a digit collector).
 */
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';

/** A key from a participant, as `RoomEvent.DtmfReceived` reports it. */
export type DtmfListener = (code: number, digit: string, participant: RemoteParticipant) => void;

/** The part of a `Room` this module uses (method syntax: a LiveKit Room fits it). */
export interface DtmfRoom {
  on(event: RoomEvent.DtmfReceived, listener: DtmfListener): unknown;
  off(event: RoomEvent.DtmfReceived, listener: DtmfListener): unknown;
}

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
