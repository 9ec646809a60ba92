import type { CallContext } from '../../../contracts/call-context.ts';
import { definePersona } from './persona.ts';
import { callbackTool, transferTool } from './tools.ts';

const ISSUE_TYPES = ['billing', 'technical', 'account', 'other'] as const;

/** Outside opening hours: takes the issue type and a callback number, creates a callback. Never tries to resolve. */
export default definePersona({
  name: 'after-hours',
  description:
    'Closed hours: captures the issue type and a callback number, creates a callback record',
  instructions:
    'The contact center is closed. Your only job is to arrange a callback. Ask what the call is ' +
    'about (billing, technical, account, or other) and which number to call back; offer the number ' +
    'the caller is calling from. When you have both, call request_callback, then confirm and say ' +
    'goodbye. Do not try to solve the problem or give advice. One short sentence per reply.',
  greeting: () =>
    'Thanks for calling. We are closed right now, but I can arrange a callback. What is your call about?',
  voice: {},
  keyterms: ['callback', 'call back', 'billing', 'technical', 'account', 'number'],
  transferTargets: ['general'],
  // After hours nobody may pick up a transfer: a silent caller is told goodbye
  // instead, and the time-limit warning comes early enough to finish a callback.
  handoff: {
    warnBeforeSeconds: 90,
    silence: {
      then: 'end',
      goodbye:
        'I have not heard anything, so I will end the call. Please call back any time. Goodbye.',
    },
  },
  tools: (rt) => ({
    request_callback: callbackTool(rt, ISSUE_TYPES),
    transfer_to_queue: transferTool(rt, ['general']),
  }),
  offline: {
    intents: [
      callbackIntent('billing', ['bill', 'billing', 'payment', 'charge', 'refund', 'invoice']),
      callbackIntent('technical', [
        'internet',
        'not working',
        'broken',
        'technical',
        'error',
        'outage',
      ]),
      callbackIntent('account', ['account', 'password', 'address', 'login']),
      callbackIntent('other', ['call me back', 'callback', 'call back', 'question']),
      {
        name: 'person',
        phrases: ['talk to someone', 'a person', 'agent', 'representative'],
        say: 'Let me see if someone from our team can take your call.',
        call: {
          tool: 'transfer_to_queue',
          args: (call: CallContext) => ({
            queue: 'general',
            summary: `After-hours caller ${call.ani} asked for a person`,
          }),
        },
      },
    ],
    noMatch:
      'Sorry, I did not catch that. Is it about billing, a technical problem, or your account?',
    toolFailed:
      'I am sorry, I could not record that just now. Please call again during opening hours.',
  },
});

function callbackIntent(issueType: (typeof ISSUE_TYPES)[number], phrases: string[]) {
  return {
    name: issueType,
    phrases,
    say: 'Thank you. We will call you back on the number you are calling from.',
    call: {
      tool: 'request_callback',
      args: (call: CallContext) => ({
        number: call.ani.replace(/[^+0-9]/g, ''),
        issue_type: issueType,
      }),
    },
  };
}
