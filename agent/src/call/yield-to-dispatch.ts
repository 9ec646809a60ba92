/**
 * A late agent's side of the hand-on handshake (contracts/hand-on.ts): when
 * dispatch's answerer is already in the room, the agent waits for dispatch's
 * decision before it touches the call.
 */
import { RoomEvent } from '@livekit/rtc-node';
import { ANSWERER_ATTRIBUTE, ANSWERER_COMMITTED, isAnswerer } from '../../../contracts/hand-on.ts';
import type { Caller } from './admit.ts';

type Participant = Pick<Caller, 'identity' | 'attributes'>;

/** The part of the room the handshake reads. */
export interface AnswererRoom {
  readonly remoteParticipants: ReadonlyMap<string, Participant>;
  on(
    event: RoomEvent.ParticipantAttributesChanged,
    listener: (changed: Record<string, string>, p: Participant) => void,
  ): unknown;
  off(
    event: RoomEvent.ParticipantAttributesChanged,
    listener: (changed: Record<string, string>, p: Participant) => void,
  ): unknown;
  on(event: RoomEvent.ParticipantDisconnected, listener: (p: Participant) => void): unknown;
  off(event: RoomEvent.ParticipantDisconnected, listener: (p: Participant) => void): unknown;
}

/** Dispatch decides within a few hundred milliseconds; past this the agent takes the call. */
export const ANSWERER_DECISION_TIMEOUT_MS = 3000;

/**
 * Resolves true when dispatch is handing this room's caller on (the agent
 * must leave it alone), false when the agent takes the call: no answerer in
 * the room, the answerer left, the timeout passed or `signal` aborted.
 *
 * @example
 * if (await dispatchHasCall(ctx.room, tasks.signal)) return; // dispatch writes the record
 */
export function dispatchHasCall(
  room: AnswererRoom,
  signal: AbortSignal,
  timeoutMs: number = ANSWERER_DECISION_TIMEOUT_MS,
): Promise<boolean> {
  const answerer = [...room.remoteParticipants.values()].find((p) => isAnswerer(p.identity));
  if (!answerer) return Promise.resolve(false);
  if (answerer.attributes[ANSWERER_ATTRIBUTE] === ANSWERER_COMMITTED) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onChanged = (changed: Record<string, string>, p: Participant) => {
      if (p.identity === answerer.identity && changed[ANSWERER_ATTRIBUTE] === ANSWERER_COMMITTED)
        done(true);
    };
    const onLeft = (p: Participant) => {
      if (p.identity === answerer.identity) done(false);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(handedOn: boolean) {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantAttributesChanged, onChanged);
      room.off(RoomEvent.ParticipantDisconnected, onLeft);
      signal.removeEventListener('abort', onAbort);
      resolve(handedOn);
    }
    room.on(RoomEvent.ParticipantAttributesChanged, onChanged);
    room.on(RoomEvent.ParticipantDisconnected, onLeft);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
