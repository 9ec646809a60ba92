/**
 * Keypad entry on a live call: prompts through the session, collects the
 * caller's RFC 2833 digits from the room, re-prompts on a bad or missing
 * entry. One entry at a time; while one runs the call runner treats keys as
 * digits (DTMF 0 does not transfer) and caller silence as expected.
 */
import { collectWithRetries } from '../dtmf/attempts.ts';
import { systemClock, type DigitResult } from '../dtmf/collector.ts';
import { collectFromRoom, type DtmfRoom } from '../dtmf/room-dtmf.ts';
import type { KeypadRequest } from '../personas/runtime.ts';
import type { CallLogger } from './transfers.ts';

export type CallKeypad = Readonly<{
  collect: (req: KeypadRequest) => Promise<DigitResult>;
  /** True while an entry is being collected. */
  active: () => boolean;
}>;

/**
 * @example
 * const keypad = createCallKeypad({ room: ctx.room, callerIdentity, say: (t) => session.say(t), log });
 * const pin = await keypad.collect({ purpose: 'pin', prompt: 'Enter your PIN.', spec: pinSpec });
 */
export function createCallKeypad(deps: {
  room: DtmfRoom;
  callerIdentity: string;
  /** Speaks a prompt; collection starts at the same time (type-ahead). */
  say: (text: string) => void;
  log: CallLogger;
}): CallKeypad {
  let active = false;
  return Object.freeze({
    active: () => active,
    collect: async (req: KeypadRequest): Promise<DigitResult> => {
      if (active) {
        deps.log.warn({ purpose: req.purpose }, 'keypad entry already under way; refusing another');
        return { status: 'gave_up', attempts: 0 };
      }
      active = true;
      try {
        const result = await collectWithRetries((attempt, previous) => {
          const collecting = collectFromRoom(
            deps.room,
            deps.callerIdentity,
            req.spec,
            systemClock,
            attempt,
          );
          deps.say(previous ? (req.retryPrompt ?? req.prompt) : req.prompt);
          return collecting;
        }, req.spec.maxAttempts);
        deps.log.info(
          {
            purpose: req.purpose,
            status: result.status,
            ...(result.status === 'collected' ? { digits: result.masked } : {}),
            ...(result.status === 'invalid' ? { problem: result.reason } : {}),
          },
          'keypad entry finished',
        );
        return result;
      } finally {
        active = false;
      }
    },
  });
}
