import type { CallContext } from '../../../contracts/call-context.ts';
import { definePersona } from './persona.ts';
import { transferTool } from './tools.ts';

const QUEUES = ['billing', 'general'] as const;

/** Replaces a DTMF menu: finds out what the caller needs and routes to the right queue with context. */
export default definePersona({
  name: 'triage',
  description: 'Spoken menu: classifies the caller intent and transfers to the right queue',
  instructions:
    'You answer phone calls for the contact center and route callers to the right team. ' +
    'Find out in one question what the caller needs, then call transfer_to_queue: "billing" for ' +
    'bills, payments, charges and refunds; "general" for everything else, or when the caller ' +
    'asks for a person. Never try to solve the problem yourself. Keep every reply to one short sentence.',
  greeting: () => 'Thank you for calling. In a few words, how can I help you today?',
  voice: {},
  keyterms: ['bill', 'billing', 'payment', 'refund', 'invoice', 'agent', 'representative'],
  transferTargets: QUEUES,
  tools: (rt) => ({ transfer_to_queue: transferTool(rt, QUEUES) }),
  offline: {
    intents: [
      {
        name: 'billing',
        phrases: ['bill', 'my bill', 'billing', 'payment', 'charge', 'refund', 'invoice'],
        examples: [
          "i'd like to talk to someone about my bill",
          'i have a question about my bill',
          'there is a wrong charge on my bill',
        ],
        say: 'Let me connect you with our billing team.',
        call: {
          tool: 'transfer_to_queue',
          args: (call: CallContext) => transferArgs('billing', call),
        },
      },
      {
        name: 'person',
        phrases: ['talk to someone', 'a person', 'agent', 'representative', 'human'],
        examples: ['i want to talk to a person', 'can i speak to an agent please'],
        say: 'Let me connect you with one of our team.',
        call: {
          tool: 'transfer_to_queue',
          args: (call: CallContext) => transferArgs('general', call),
        },
      },
    ],
    noMatch: 'Sorry, I did not catch that. Is it about a bill, or something else?',
    toolFailed: 'I am sorry, I could not connect you just now. Please stay on the line.',
  },
});

function transferArgs(queue: (typeof QUEUES)[number], call: CallContext) {
  return {
    queue,
    summary: `Caller ${call.ani} asked about ${queue === 'billing' ? 'a bill' : 'something else'}`,
  };
}
