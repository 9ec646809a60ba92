/**
 * Who a self-service caller is: the account Genesys' IVR authenticated (UUI
 * `account`, `name`, `verified=true`), or, when it did not, an account number
 * and PIN the caller types on the keypad, verified once per call by the
 * customer's `verify_caller` data action. Never taken from speech.
 */
import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { CallContext } from '../../../contracts/call-context.ts';
import { defineDataAction } from './data-actions.ts';
import type { KeypadRequest, PersonaRuntime } from './runtime.ts';

export type CallerAccount = Readonly<{
  id: string;
  name: string | undefined;
  source: 'ivr' | 'keypad';
}>;

/** The account the IVR authenticated, from the UUI Architect set. */
export function authenticatedAccount(call: CallContext): CallerAccount | undefined {
  const f = call.uui?.fields;
  const id = f?.['account'];
  return f?.['verified'] === 'true' && id && /^\d{4,12}$/.test(id)
    ? { id, name: f['name'], source: 'ivr' }
    : undefined;
}

/** POST, so the PIN travels in the body, never in a URL. */
export const verifyCaller = defineDataAction({
  name: 'verify_caller',
  method: 'POST',
  path: '/accounts/{accountId}/verify',
  params: z.object({
    accountId: z.string().regex(/^\d{4,12}$/),
    pin: z.string().regex(/^\d{4}$/),
  }),
  response: z.object({ verified: z.boolean(), name: z.string().optional() }),
});

export const ACCOUNT_NUMBER_ENTRY: KeypadRequest = Object.freeze({
  purpose: 'account_number',
  prompt: 'Please type your account number on your keypad, then press the pound key.',
  retryPrompt: 'Sorry, I did not get that. Please type your account number, then press pound.',
  spec: Object.freeze({
    minDigits: 4,
    maxDigits: 12,
    finishOnMaxDigits: false,
    interDigitTimeoutMs: 5_000,
    overallTimeoutMs: 25_000,
    maxAttempts: 3,
  }),
});

export const PIN_ENTRY: KeypadRequest = Object.freeze({
  purpose: 'pin',
  prompt: 'Thank you. Now type your four digit PIN.',
  retryPrompt: 'Sorry, please type your four digit PIN.',
  spec: Object.freeze({
    minDigits: 4,
    maxDigits: 4,
    interDigitTimeoutMs: 5_000,
    overallTimeoutMs: 20_000,
    maxAttempts: 3,
  }),
});

/**
 * Per call: resolves the caller's account, asking for the keypad entry the
 * first time it is needed. Throws a `ToolError` (words for the LLM, no
 * digits) when the caller cannot be identified.
 *
 * @example
 * tools: (rt) => {
 *   const account = callerAccount(rt);
 *   return { get_account_status: llm.tool({ ..., execute: async () => status((await account()).id) }) };
 * }
 */
export function callerAccount(rt: PersonaRuntime): () => Promise<CallerAccount> {
  let keyed: CallerAccount | undefined;
  return async () => {
    const ivr = authenticatedAccount(rt.call);
    if (ivr) return ivr;
    if (keyed) return keyed;
    const account = await rt.keypad(ACCOUNT_NUMBER_ENTRY);
    if (account.status !== 'collected') throw notIdentified('could not type an account number');
    const pin = await rt.keypad(PIN_ENTRY);
    if (pin.status !== 'collected') throw notIdentified('could not type a PIN');
    const check = await rt.data.lookup(verifyCaller, { accountId: account.value, pin: pin.value });
    if (check.status === 'unavailable') {
      throw new llm.ToolError(
        'Caller verification is unavailable right now. Apologize and offer to transfer them to the general queue.',
      );
    }
    if (check.status === 'not_found' || !check.data.verified)
      throw notIdentified('typed an account number and PIN that do not match');
    keyed = Object.freeze({ id: account.value, name: check.data.name, source: 'keypad' });
    return keyed;
  };
}

function notIdentified(why: string): llm.ToolError {
  return new llm.ToolError(
    `The caller ${why}, so their account cannot be used. Offer to transfer them to the general queue.`,
  );
}
