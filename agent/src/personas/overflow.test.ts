import { voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import overflow from './overflow.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  usePersonaTests,
  spokenReplies,
} from './testing/index.ts';

const start = usePersonaTests(overflow);

const HOURS = 'We are open Monday to Friday, eight in the morning to eight in the evening.';
const BACK_IN_QUEUE = 'No problem, I will put you back in the queue.';
const callbackCall = (args: Record<string, unknown>) => ({ name: 'request_callback', args });
const transferCall = (args: Record<string, unknown>) => ({ name: 'transfer_to_queue', args });
const saidBy = spokenReplies;

describe('overflow persona, offline rules', () => {
  it('has offline intents that all match', () => {
    expect(offlineIntentProblems(overflow)).toEqual([]);
  });

  it('answers the opening hours without calling a tool', async () => {
    const t = await start();
    const result = await t.run('What are your hours?');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    expect(saidBy(result)).toEqual([HOURS]);
    expect(t.runtime.transfers).toEqual([]);
    expect(t.runtime.callbacks).toEqual([]);
  });

  it('books a callback on the number the caller is calling from', async () => {
    const t = await start();
    const result = await t.run('Please call me back');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect
      .nextEvent()
      .isFunctionCall(callbackCall({ number: '+15551234567', issue_type: 'general' }));
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.noMoreEvents();
    expect(t.runtime.callbacks).toEqual([{ number: t.call.ani, issueType: 'general' }]);
    expect(t.runtime.transfers).toEqual([]);
  });

  it.each(["I'll wait", 'I want to talk to someone'])(
    'puts the caller back in the general queue for "%s"',
    async (words) => {
      const t = await start();
      const result = await t.run(words);

      result.expect.containsFunctionCall(
        transferCall({
          queue: 'general',
          summary: `Caller ${t.call.ani} chose to wait for an agent`,
        }),
      );
      result.expect.containsFunctionCallOutput({ isError: false });
      expect(saidBy(result)).toEqual([BACK_IN_QUEUE]);
      expect(t.runtime.transfers).toEqual([
        {
          queue: 'general',
          reason: 'persona_route',
          summary: `Caller ${t.call.ani} chose to wait for an agent`,
        },
      ]);
    },
  );

  it('says toolFailed when the transfer back to the queue fails', async () => {
    const runtime = new RecordingRuntime({
      allowedQueues: overflow.transferTargets,
      transferResult: 'failed',
    });
    const t = await start({ runtime });
    const result = await t.run("I'll hold");

    result.expect.containsFunctionCallOutput({ isError: true });
    expect(saidBy(result)).toEqual([BACK_IN_QUEUE, overflow.offline.toolFailed]);
    expect(runtime.transfers.map((r) => r.queue)).toEqual(['general']);
  });

  it('offers the choice again when it does not understand', async () => {
    const t = await start();
    const result = await t.run('hmm');

    expect(saidBy(result)).toEqual([overflow.offline.noMatch]);
    expect(t.runtime.transfers).toEqual([]);
    expect(t.runtime.callbacks).toEqual([]);
  });
});

describe('overflow persona, scripted LLM', () => {
  it('books a callback on another number the caller gives', async () => {
    const args = { number: '+15550002222', issue_type: 'general' };
    const llm = new voice.testing.FakeLLM([
      { input: 'call me back on 555 000 2222', toolCalls: [callbackCall(args)] },
    ]);
    const t = await start({ llm });
    const result = await t.run('call me back on 555 000 2222');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.callbacks).toEqual([{ number: '+15550002222', issueType: 'general' }]);
  });

  it('tells the LLM to apologize when the transfer fails', async () => {
    const args = { queue: 'general', summary: 'Caller prefers to wait' };
    const llm = new voice.testing.FakeLLM([
      { input: 'I will wait', toolCalls: [transferCall(args)] },
    ]);
    const runtime = new RecordingRuntime({
      allowedQueues: overflow.transferTargets,
      transferResult: 'failed',
    });
    const t = await start({ llm, runtime });
    const result = await t.run('I will wait');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('did not go through');
    expect(runtime.transfers).toEqual([{ ...args, reason: 'persona_route' }]);
  });
});
