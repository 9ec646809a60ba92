/**
 * `collect_digits(purpose)`: the LLM asks for a keypad entry; the digits go
 * straight to the persona's data action, never into the LLM context or logs.
 */
import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { DigitResult } from './collector.ts';

export type CollectDigitsToolOptions<Purpose extends string> = Readonly<{
  /** What the digits may be for, e.g. `['account_number', 'pin']`; the LLM picks one. */
  purposes: readonly [Purpose, ...Purpose[]];
  /** Prompts the caller and collects, retries included (see `collectWithRetries`). */
  collect: (purpose: Purpose) => Promise<DigitResult>;
  /**
   * Receives the digits (the persona's data action). What it returns is told
   * to the LLM, so it must not contain the digits; default: nothing extra.
   */
  onCollected: (purpose: Purpose, value: string) => Promise<string | void> | string | void;
}>;

/**
 * The LLM learns only whether digits were collected, never which.
 *
 * @example
 * tools: (rt) => ({
 *   collect_digits: collectDigitsTool({
 *     purposes: ['account_number'],
 *     collect: (purpose) => collectWithRetries(runFor(purpose), 3),
 *     onCollected: async (_purpose, account) => describe(await rt.lookup(accountStatus, { accountId: account })),
 *   }),
 * })
 */
export function collectDigitsTool<Purpose extends string>(opts: CollectDigitsToolOptions<Purpose>) {
  return llm.tool({
    description:
      'Ask the caller to type a number on their phone keypad, for one of the listed purposes. ' +
      'You will not see the number; you will be told whether it was received.',
    parameters: z.object({
      purpose: z.enum(opts.purposes).describe('What the number is for'),
    }),
    execute: async ({ purpose: p }) => {
      const result = await opts.collect(p);
      switch (result.status) {
        case 'collected': {
          const said = await opts.onCollected(p, result.value);
          // Belt and braces: a reply that echoes the digits is dropped, not sent to the LLM.
          const extra = said && !said.includes(result.value) ? said : undefined;
          return `The caller entered their ${p} on the keypad and it was received.${extra ? ` ${extra}` : ''}`;
        }
        case 'gave_up':
          return `The caller could not enter a valid ${p} after ${result.attempts} attempts. Offer another way to help, such as a transfer.`;
        case 'invalid':
          return `The ${p} the caller entered was not valid (${result.reason}).`;
        case 'timeout':
          return `The caller did not enter their ${p} in time.`;
      }
    },
  });
}
