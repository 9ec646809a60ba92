/**
 * Whether livekit-sip ever answered the caller. It answers the INVITE
 * (200 OK, `sip.callStatus: active`) once it has subscribed to the agent's
 * track; until the ring timeout it keeps the caller ringing, then refuses
 * with 486 and leaves the room still `ringing`. An agent that joined but was
 * too slow to publish (a job process starting on a saturated core) then ran
 * a call nobody heard: dispatch records it as `refused` from the caller's
 * `participant_left` (dispatch/src/admission/refused-call.ts), so the agent
 * must not store a second record claiming the call was answered.
 */
import { RoomEvent } from '@livekit/rtc-node';
import { sipAttributes } from '../../../contracts/sip-attributes.ts';
import type { Caller, CallerRoom } from './admit.ts';
import type { CallTasks } from './tasks.ts';

export type CallAnswer = Readonly<{
  /** livekit-sip refused the caller unanswered: never `active`, gone from the room, and left `ringing`. */
  refused: () => boolean;
}>;

/**
 * @example
 * const answer = watchAnswer(room, caller, tasks);
 * // … when the session has closed:
 * if (answer.refused()) return; // dispatch keeps this call's record
 */
export function watchAnswer(room: CallerRoom, caller: Caller, tasks: CallTasks): CallAnswer {
  const status = () => caller.attributes[sipAttributes.callStatus];
  let answered = status() === 'active';
  tasks.on(
    room,
    RoomEvent.ParticipantAttributesChanged,
    (_changed: Record<string, string>, p: Caller) => {
      if (p.identity === caller.identity && p.attributes[sipAttributes.callStatus] === 'active')
        answered = true;
    },
  );
  return Object.freeze({
    refused: () =>
      !answered && status() === 'ringing' && !room.remoteParticipants.has(caller.identity),
  });
}
