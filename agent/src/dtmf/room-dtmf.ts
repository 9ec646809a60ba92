/**
 * LiveKit room → digit collector. SIP callers' keypad presses arrive as
 * `RoomEvent.DtmfReceived`; only the given participant's presses count, and
 * the listener is removed as soon as the attempt settles.
 */
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import {
  createDigitCollector,
  type AttemptResult,
  type Clock,
  type DigitSpec,
} from './collector.ts';

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

/**
 * One attempt: a fresh collector fed by `identity`'s keys; the listener is
 * removed when the result settles (at the latest `spec.overallTimeoutMs` later).
 *
 * @example
 * const result = await collectFromRoom(ctx.room, callerIdentity, pinSpec, systemClock, 1);
 */
export async function collectFromRoom<Handle>(
  room: DtmfRoom,
  identity: string,
  spec: DigitSpec,
  clock: Clock<Handle>,
  attempt = 1,
): Promise<AttemptResult> {
  const collector = createDigitCollector(spec, clock, attempt);
  const stop = onDtmf(room, identity, collector.press);
  try {
    return await collector.result;
  } finally {
    stop();
  }
}
