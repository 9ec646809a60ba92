import { voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import afterHours from './after-hours.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  testCall,
  usePersonaTests,
  spokenReplies,
} from './testing/index.ts';

const start = usePersonaTests(afterHours);

const SAY = 'Thank you. We will call you back on the number you are calling from.';
const callbackCall = (args: Record<string, unknown>) => ({ name: 'request_callback', args });
const transferCall = (args: Record<string, unknown>) => ({ name: 'transfer_to_queue', args });
const saidBy = spokenReplies;

describe('after-hours persona, offline rules', () => {
  it('has offline intents that all match', () => {
    expect(offlineIntentProblems(afterHours)).toEqual([]);
  });

  it('books a technical callback on the number the caller is calling from', async () => {
    const t = await start();
    const result = await t.run('my internet is not working');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.nextEvent().isFunctionCall({
      name: 'request_callback',
      args: { number: '+15551234567', issue_type: 'technical' },
    });
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.noMoreEvents();
    expect(saidBy(result)).toEqual([SAY]);
    expect(t.runtime.callbacks).toEqual([{ number: t.call.ani, issueType: 'technical' }]);
  });

  it('books a billing callback for a billing question', async () => {
    const t = await start();
    const result = await t.run('I have a question about my bill');

    result.expect.containsFunctionCall(callbackCall({ issue_type: 'billing' }));
    expect(t.runtime.callbacks).toEqual([{ number: '+15551234567', issueType: 'billing' }]);
  });

  it('asks again, and books nothing, when it does not understand', async () => {
    const t = await start();
    const result = await t.run('What is the weather like?');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    expect(saidBy(result)).toEqual([afterHours.offline.noMatch]);
    expect(t.runtime.callbacks).toEqual([]);
  });

  it('says toolFailed when the callback tool refuses a withheld caller number', async () => {
    const runtime = new RecordingRuntime({
      call: testCall({ ani: 'anonymous' }),
      allowedQueues: afterHours.transferTargets,
    });
    const t = await start({ runtime });
    const result = await t.run('my internet is not working');

    result.expect.containsFunctionCall(callbackCall({ number: '', issue_type: 'technical' }));
    result.expect.containsFunctionCallOutput({ isError: true });
    expect(saidBy(result)).toEqual([SAY, afterHours.offline.toolFailed]);
    expect(runtime.callbacks).toEqual([]);
  });

  it('says toolFailed when the callback store fails', async () => {
    const runtime = new RecordingRuntime({
      callbackResult: 'failed',
      allowedQueues: afterHours.transferTargets,
    });
    const t = await start({ runtime });
    const result = await t.run('my internet is not working');

    result.expect.containsFunctionCallOutput({ isError: true });
    expect(saidBy(result)).toEqual([SAY, afterHours.offline.toolFailed]);
    expect(runtime.callbacks).toHaveLength(1);
  });

  it('transfers a caller who asks for a person', async () => {
    const t = await start();
    const result = await t.run('can I talk to a person');
    result.expect.containsFunctionCall({ name: 'transfer_to_queue' });
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
  });
});

describe('after-hours persona, scripted LLM', () => {
  it('books a callback on a number the caller gives', async () => {
    const args = {
      number: '5550001111',
      issue_type: 'account',
      notes: 'Locked out of the account; call the mobile',
    };
    const llm = new voice.testing.FakeLLM([
      {
        input: 'call me on my mobile, 555 000 1111, I am locked out',
        toolCalls: [callbackCall(args)],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('call me on my mobile, 555 000 1111, I am locked out');

    result.expect.nextEvent().isFunctionCall(callbackCall(args));
    const output = result.expect.nextEvent().isFunctionCallOutput({ isError: false }).event()
      .item.output;
    expect(output).toContain('Callback request callback-1 recorded');
    expect(t.runtime.callbacks).toEqual([
      { number: '5550001111', issueType: 'account', notes: args.notes },
    ]);
  });

  it('refuses a callback number that is not digits, and books nothing', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'call me on five five five',
        toolCalls: [callbackCall({ number: 'five five five', issue_type: 'other' })],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('call me on five five five');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toMatch(/^Invalid arguments for request_callback: /);
    expect(t.runtime.callbacks).toEqual([]);
  });

  it('transfers to general when the LLM asks for it', async () => {
    const args = { queue: 'general', summary: 'Caller has an urgent outage and wants a person' };
    const llm = new voice.testing.FakeLLM([
      { input: 'this is urgent, I need a person', toolCalls: [transferCall(args)] },
    ]);
    const t = await start({ llm });
    const result = await t.run('this is urgent, I need a person');

    result.expect.containsFunctionCall(transferCall(args));
    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.transfers).toEqual([{ ...args, reason: 'persona_route' }]);
  });

  it('refuses billing, a queue the persona does not list', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'put me through to billing',
        toolCalls: [transferCall({ queue: 'billing', summary: 'Caller wants billing' })],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('put me through to billing');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toMatch(/^Invalid arguments for transfer_to_queue: /);
    expect(t.runtime.transfers).toEqual([]);
  });
});
