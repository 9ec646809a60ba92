import type { CallContext } from '../../../contracts/call-context.ts';
import { definePersona } from './persona.ts';
import { callbackTool, transferTool } from './tools.ts';

const FAQ = {
  hours: 'We are open Monday to Friday, eight in the morning to eight in the evening.',
  website: 'You can manage your account any time at example dot com.',
};

/** Queues are full: offers a callback, answers simple questions, else puts the caller back in the queue. */
export default definePersona({
  name: 'overflow',
  description:
    'Busy queues: offers a callback, answers simple questions, otherwise returns the caller to the queue',
  instructions:
    'All our agents are busy. Offer the caller a callback instead of waiting. You may answer only ' +
    `these questions: opening hours ("${FAQ.hours}") and the website ("${FAQ.website}"). ` +
    'If the caller wants a callback, call request_callback with the number they are calling from ' +
    'unless they give another. If they prefer to wait, or ask anything else, call transfer_to_queue ' +
    'with "general". One short sentence per reply.',
  greeting: () =>
    'Thanks for calling. All our agents are busy. I can arrange a callback so you do not have to wait, or keep your place in the queue. Which would you prefer?',
  voice: {},
  keyterms: ['callback', 'call back', 'wait', 'hold', 'hours', 'website'],
  transferTargets: ['general'],
  tools: (rt) => ({
    request_callback: callbackTool(rt, ['general']),
    transfer_to_queue: transferTool(rt, ['general']),
  }),
  offline: {
    intents: [
      { name: 'hours', phrases: ['hours', 'open', 'opening', 'closing time'], say: FAQ.hours },
      { name: 'website', phrases: ['website', 'online', 'web site'], say: FAQ.website },
      {
        name: 'callback',
        phrases: ['call me back', 'callback', 'call back', 'yes please'],
        say: 'Of course. We will call you back on the number you are calling from.',
        call: {
          tool: 'request_callback',
          args: (call: CallContext) => ({
            number: call.ani.replace(/[^+0-9]/g, ''),
            issue_type: 'general',
          }),
        },
      },
      {
        name: 'wait',
        phrases: ['wait', 'hold', 'stay', 'queue', 'agent', 'person', 'talk to someone'],
        say: 'No problem, I will put you back in the queue.',
        call: {
          tool: 'transfer_to_queue',
          args: (call: CallContext) => ({
            queue: 'general',
            summary: `Caller ${call.ani} chose to wait for an agent`,
          }),
        },
      },
    ],
    noMatch: 'Would you like a callback, or would you prefer to keep waiting?',
    toolFailed:
      'I am sorry, that did not work. Please stay on the line and an agent will be with you.',
  },
});
