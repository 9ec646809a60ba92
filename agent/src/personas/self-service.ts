import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { CallContext } from '../../../contracts/call-context.ts';
import { defineDataAction, type LookupResult } from './data-actions.ts';
import { definePersona } from './persona.ts';
import type { PersonaRuntime } from './runtime.ts';
import {
  authenticatedAccount,
  callerAccount,
  type CallerAccount,
} from './self-service-identity.ts';
import { transferTool } from './tools.ts';

export const accountStatus = defineDataAction({
  name: 'account_status',
  path: '/accounts/{accountId}/status',
  params: z.object({ accountId: z.string().regex(/^\d{4,12}$/) }),
  response: z.object({
    balance: z.number(),
    currency: z.string().length(3),
    dueDate: z.string(),
    status: z.string(),
  }),
});

export const orderStatus = defineDataAction({
  name: 'order_status',
  path: '/accounts/{accountId}/orders/{orderId}',
  params: z.object({
    accountId: z.string().regex(/^\d{4,12}$/),
    orderId: z.string().regex(/^[0-9]{4,10}$/),
  }),
  response: z.object({ orderId: z.string(), status: z.string(), eta: z.string().optional() }),
});

/**
 * Authenticated self-service: the account comes pre-loaded from Genesys (or
 * the caller keys account number and PIN), status lookups through data actions.
 */
export default definePersona({
  name: 'self-service',
  description:
    'Authenticated callers: account balance and order status through the customer data actions',
  instructions:
    'The caller is usually authenticated by the phone system; if not, the account tools ask them ' +
    'to type their account number and PIN on the keypad themselves (never ask for the digits ' +
    'aloud). You can tell them ' +
    'their account balance and due date (get_account_status) and the status of an order ' +
    '(get_order_status, with the order number they say). For anything else, or if a lookup is ' +
    'unavailable, call transfer_to_queue ("billing" for payments, "general" otherwise). Read amounts ' +
    'and dates naturally. One or two short sentences per reply.',
  greeting: (call) => {
    const account = authenticatedAccount(call);
    return account?.name
      ? `Hi ${account.name}, thanks for calling. I can check your balance or an order. What would you like to know?`
      : 'Thanks for calling. I can check your balance or an order. What would you like to know?';
  },
  voice: {},
  keyterms: ['balance', 'order', 'payment', 'due date', 'status'],
  transferTargets: ['billing', 'general'],
  tools: (rt) => {
    const account = callerAccount(rt);
    return {
      get_account_status: accountStatusTool(rt, account),
      get_order_status: orderStatusTool(rt, account),
      transfer_to_queue: transferTool(rt, ['billing', 'general']),
    };
  },
  offline: {
    intents: [
      {
        name: 'balance',
        phrases: ['balance', 'how much', 'owe', 'due'],
        examples: [
          'what is my balance',
          'i want to check my balance',
          'how much do i owe',
          'when is my payment due',
        ],
        say: 'Let me check that for you.',
        call: { tool: 'get_account_status', args: () => ({}), reply: (status) => status },
      },
      {
        name: 'person',
        phrases: ['agent', 'representative', 'talk to someone', 'a person'],
        say: 'Let me connect you with our team.',
        call: {
          tool: 'transfer_to_queue',
          args: (call: CallContext) => ({
            queue: 'general',
            summary: `Authenticated caller ${call.ani} asked for a person`,
          }),
        },
      },
    ],
    noMatch: 'I can check your balance or an order. Which would you like?',
    toolFailed:
      'I am sorry, I cannot check that right now. Let me know if you would like to talk to someone.',
  },
});

type AccountOf = () => Promise<CallerAccount>;

/**
 * A lookup tool's parameters. The account is never one of them: it is the
 * caller's own, verified on this call (self-service-identity.ts). An argument
 * the schema does not list is refused, not silently dropped, so an LLM talked
 * into asking for another account learns that it cannot, instead of reading
 * the caller's own data back as if it were the other account's.
 */
function lookupParameters<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `This tool takes no ${issue.keys.join(', ')}: it only ever looks up the caller's own verified account. Tell the caller you can only help with their own account.`
        : undefined,
  });
}

function accountStatusTool(rt: PersonaRuntime, accountOf: AccountOf) {
  return llm.tool({
    description:
      "Look up the caller's account balance, due date and status (asks an unauthenticated caller to key in their account number and PIN).",
    parameters: lookupParameters({}),
    execute: async () => {
      const account = await accountOf();
      return describe(
        await rt.data.lookup(accountStatus, { accountId: account.id }),
        (d) =>
          `Balance ${d.balance.toFixed(2)} ${d.currency}, due ${d.dueDate}, account ${d.status}.`,
      );
    },
  });
}

function orderStatusTool(rt: PersonaRuntime, accountOf: AccountOf) {
  return llm.tool({
    description:
      "Look up the status of one of the caller's orders (asks an unauthenticated caller to key in their account number and PIN).",
    parameters: lookupParameters({
      order_number: z
        .string()
        .regex(/^[0-9]{4,10}$/)
        .describe('Order number, digits only'),
    }),
    execute: async ({ order_number }) => {
      const account = await accountOf();
      return describe(
        await rt.data.lookup(orderStatus, { accountId: account.id, orderId: order_number }),
        (d) => `Order ${d.orderId} is ${d.status}${d.eta ? `, expected ${d.eta}` : ''}.`,
      );
    },
  });
}

/**
 * A lookup's answer for the caller, or a ToolError telling the LLM what went
 * wrong: errors are never read out as if they were data (the offline rules
 * engine says the persona's `toolFailed` instead).
 */
function describe<R>(result: LookupResult<R>, ok: (data: R) => string): string {
  if (result.status === 'ok') return ok(result.data);
  if (result.status === 'not_found') {
    throw new llm.ToolError('Nothing was found. Ask the caller to check the number.');
  }
  throw new llm.ToolError(
    'The lookup is unavailable right now. Apologize and offer to transfer the caller.',
  );
}
