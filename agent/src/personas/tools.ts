/**
 * Tools most personas share. Transfer targets are a zod enum of the persona's
 * queue names, so the LLM (and so the caller) can only pick among them.
 */
import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { PersonaRuntime } from './runtime.ts';

/**
 * `transfer_to_queue(queue, summary)`: hands the caller to a human queue.
 *
 * @example
 * tools: (rt) => ({ transfer_to_queue: transferTool(rt, ['billing', 'general']) })
 */
export function transferTool(runtime: PersonaRuntime, queues: readonly [string, ...string[]]) {
  return llm.tool({
    description:
      'Transfer the caller to a human agent in one of the listed queues. Use it when the caller ' +
      'asks for a person, or the request is something you cannot handle.',
    parameters: z.object({
      queue: z.enum(queues).describe('The queue that handles the request'),
      summary: z
        .string()
        .max(300)
        .describe('One sentence for the human agent: who is calling and why'),
    }),
    execute: async ({ queue, summary }, { ctx }) => {
      // Let "connecting you now" finish before the REFER moves the call away.
      await ctx.waitForPlayout();
      const result = await runtime.transfer({ queue, reason: 'persona_route', summary });
      if (result.status !== 'transferring') {
        // An error output: the LLM (or the offline rules) must tell the caller, not carry on silently.
        throw new llm.ToolError(
          `The transfer to ${queue} did not go through (${result.status}). Apologize, and offer to try again or to take a callback if you can.`,
        );
      }
      return `Transferring the caller to ${queue}. Tell them briefly they are being connected.`;
    },
  });
}

/** `request_callback(number, issue_type, notes)`: records that the contact center should call back. */
export function callbackTool(runtime: PersonaRuntime, issueTypes: readonly [string, ...string[]]) {
  return llm.tool({
    description:
      'Record a callback request once you know the issue type and the number to call back.',
    parameters: z.object({
      number: z
        .string()
        .regex(/^\+?[0-9]{7,15}$/, 'digits only')
        .describe('Number to call back, digits only, with country code if given'),
      issue_type: z.enum(issueTypes).describe('What the callback is about'),
      notes: z.string().max(300).optional().describe('Anything else the caller said that helps'),
    }),
    execute: async ({ number, issue_type, notes }) => {
      const { id } = await runtime.requestCallback({
        number,
        issueType: issue_type,
        ...(notes ? { notes } : {}),
      });
      return `Callback request ${id} recorded. Confirm to the caller and say goodbye.`;
    },
  });
}

/**
 * `escalate_to_human(summary)`: every persona has it. Out-of-scope or
 * uncertain requests go to the route's human queue with reason
 * `out_of_scope`, never a guess.
 */
export function escalateTool(runtime: PersonaRuntime) {
  return llm.tool({
    description:
      'Hand the caller to a person when they ask for something you cannot do or are not sure ' +
      'about. Do not guess answers.',
    parameters: z.object({
      summary: z
        .string()
        .max(300)
        .describe('One sentence for the human agent: who is calling and what they need'),
    }),
    execute: async ({ summary }, { ctx }) => {
      await ctx.waitForPlayout();
      const result = await runtime.escalate(summary);
      if (result.status !== 'transferring') {
        throw new llm.ToolError(
          `The handoff did not go through (${result.status}). Apologize, and offer a callback or to keep helping.`,
        );
      }
      return 'Handing the caller to a person. Tell them briefly they are being connected.';
    },
  });
}
