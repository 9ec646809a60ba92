/**
 * What the caller hears around a handoff, in one place: the transfer control
 * (control.ts) and the warm transfer (warm/runner.ts) speak only these.
 */
export const CALLER_LINES = Object.freeze({
  /** Before a handoff the policy decided (the caller did not ask in words of their own). */
  connecting: 'Let me connect you with a colleague.',
  /** Before the human is dialled for a warm transfer; the hold chime follows. */
  holdForColleague: 'Please hold for a moment while I bring in a colleague.',
  /** The human was not reached: the queue's blind transfer follows. */
  warmFallback:
    'I could not reach a colleague directly, so I am putting you through to the team now.',
  /** No target took the call: the caller stays with the agent. */
  notConnected: 'I am sorry, I could not connect you right now. Please stay on the line.',
});
