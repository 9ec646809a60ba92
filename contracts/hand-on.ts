/**
 * The handshake that keeps a late agent and dispatch's queue hand-on from
 * both taking one caller (inboundTrunk.whenNoAgent: queue).
 *
 * Dispatch, about to answer a caller no agent took, first joins the room as
 * `dispatch-answer-<room>` with nothing published: a claim. Then it looks for
 * an agent. If one is there, dispatch leaves and the agent keeps the call. If
 * not, dispatch commits: it sets {@link ANSWERER_ATTRIBUTE} to `answering`
 * and publishes its silent track, which makes livekit-sip answer.
 *
 * An agent that finds the claimant in the room when it joins waits for one
 * of the two: the commitment (dispatch has the call; the agent leaves and
 * writes no record, dispatch writes it) or the claimant leaving (the agent
 * takes the call). livekit-server orders the joins of one room, so whichever
 * joins second sees the other.
 */

/** The identity prefix of dispatch's answering participant; the room name follows it. */
export const ANSWERER_IDENTITY_PREFIX = 'dispatch-answer-';

/** The participant attribute dispatch sets when it commits to answering the caller. */
export const ANSWERER_ATTRIBUTE = 'gva.answerer';

/** The value of {@link ANSWERER_ATTRIBUTE} once dispatch has the call. */
export const ANSWERER_COMMITTED = 'answering';

/**
 * The identity dispatch joins a room with (LiveKit caps identities at 128 characters).
 *
 * @example
 * answererIdentity('call-main-_4321_x'); // 'dispatch-answer-call-main-_4321_x'
 */
export function answererIdentity(room: string): string {
  return `${ANSWERER_IDENTITY_PREFIX}${room}`.slice(0, 128);
}

/**
 * Whether a participant is dispatch's answerer.
 *
 * @example
 * isAnswerer('dispatch-answer-call-main-_4321_x'); // true
 */
export function isAnswerer(identity: string): boolean {
  return identity.startsWith(ANSWERER_IDENTITY_PREFIX);
}

/**
 * How much longer than the trunk's ring timeout livekit-sip rings on a
 * `whenNoAgent: queue` trunk before refusing (486): room for a hand-on that
 * began before the timeout to answer. The hand-on's own steps (two room
 * lookups, joining the room, publishing a track, livekit-sip subscribing)
 * took 1.2 to 2.7 s from its start with ten callers at 2 a second and the
 * stack on one busy core (2026-12-03, docs/benchmark.md); at the timeout
 * exactly, some callers handed on were refused instead. It is a backstop: a
 * caller still ringing then, with dispatch stopped say, is refused.
 */
export const HAND_ON_GRACE_SECONDS = 2;
