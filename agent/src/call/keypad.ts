/**
 * Keypad entry on a live call: prompts through the session, collects the
 * caller's RFC 2833 digits from the room, re-prompts on a bad or missing
 * entry. One entry at a time; while one runs the call runner treats keys as
 * digits (DTMF 0 does not transfer) and caller silence as expected.
 */
import { collectWithRetries } from '../dtmf/attempts.ts';
import {
  createDigitCollector,
  systemClock,
  type DigitCollector,
  type DigitResult,
} from '../dtmf/collector.ts';
import { onDtmf, type DtmfRoom } from '../dtmf/room-dtmf.ts';
import { spokenKeys } from '../dtmf/spoken-keys.ts';
import type { KeypadRequest } from '../personas/runtime.ts';
import type { CallLogger } from '../observability/call-logger.ts';

export type CallKeypad = Readonly<{
  collect: (req: KeypadRequest) => Promise<DigitResult>;
  /** True while an entry is being collected. */
  active: () => boolean;
  /**
   * Offers a caller transcript to the entry under way: when it names keys
   * ("one two three four") they are entered as if typed, then finished.
   * True when it did; the caller's turn then needs no reply.
   */
  hear: (transcript: string) => boolean;
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
  let current: { collector: DigitCollector; finishKey: string } | undefined;
  const collect = async (req: KeypadRequest): Promise<DigitResult> => {
    if (active) {
      deps.log.warn({ purpose: req.purpose }, 'keypad entry already under way; refusing another');
      return { status: 'gave_up', attempts: 0 };
    }
    active = true;
    try {
      const result = await collectWithRetries(async (attempt, previous) => {
        const collector = createDigitCollector(req.spec, systemClock, attempt);
        current = { collector, finishKey: req.spec.finishKey ?? '#' };
        const stop = onDtmf(deps.room, deps.callerIdentity, collector.press);
        deps.say(previous ? (req.retryPrompt ?? req.prompt) : req.prompt);
        try {
          return await collector.result;
        } finally {
          stop();
          current = undefined;
        }
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
  };
  const hear = (transcript: string): boolean => {
    const entry = current;
    const keys = entry ? spokenKeys(transcript) : '';
    if (!entry || !/[0-9]/.test(keys)) return false;
    for (const key of keys) entry.collector.press(key);
    // A spoken entry is whole when the caller stops talking.
    entry.collector.press(entry.finishKey);
    return true;
  };
  return Object.freeze({ active: () => active, collect, hear });
}
