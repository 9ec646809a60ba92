import { voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { RecordingRuntime, usePersonaTests } from './testing/index.ts';
import triage from './triage.ts';

const start = usePersonaTests(triage);

const transferCall = (args: Record<string, unknown>) => ({ name: 'transfer_to_queue', args });

describe('triage persona, offline rules', () => {
  it('sends a billing question to billing, though it also asks for someone', async () => {
    const t = await start();
    const result = await t.run("I'd like to talk to someone about my bill");

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.nextEvent().isFunctionCall({
      name: 'transfer_to_queue',
      args: { queue: 'billing', summary: `Caller ${t.call.ani} asked about a bill` },
    });
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.noMoreEvents();
    expect(result.expect.at(0).event().item).toMatchObject({
      content: ['Let me connect you with our billing team.'],
    });
    expect(t.runtime.transfers).toEqual([
      {
        queue: 'billing',
        reason: 'persona_route',
        summary: `Caller ${t.call.ani} asked about a bill`,
      },
    ]);
  });

  it('sends a request for a representative to general', async () => {
    const t = await start();
    const result = await t.run('Can I talk to a representative?');

    result.expect.containsFunctionCall(transferCall({ queue: 'general' }));
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
  });

  it('asks again, and transfers nobody, when it does not understand', async () => {
    const t = await start();
    const result = await t.run("What's the weather?");

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    expect(result.expect.at(0).event().item).toMatchObject({ content: [triage.offline.noMatch] });
    expect(t.runtime.transfers).toEqual([]);
  });

  it('keeps the conversation going after a turn it did not understand', async () => {
    const t = await start();
    await t.run('hello');
    await t.run('it is about an invoice');
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['billing']);
  });
});

describe('triage persona, scripted LLM', () => {
  it('routes a transfer the LLM asks for through the runtime', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'I need help with something',
        content: 'Let me get you to the right team.',
        toolCalls: [
          transferCall({
            queue: 'general',
            summary: 'Caller needs help with an unspecified issue',
          }),
        ],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('I need help with something');

    result.expect.containsFunctionCall(transferCall({ queue: 'general' }));
    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.transfers).toEqual([
      {
        queue: 'general',
        reason: 'persona_route',
        summary: 'Caller needs help with an unspecified issue',
      },
    ]);
  });

  it('refuses a queue the persona does not list, and transfers nobody', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'sales please',
        toolCalls: [transferCall({ queue: 'sales', summary: 'Caller wants sales' })],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('sales please');

    result.expect.nextEvent().isFunctionCall({ name: 'transfer_to_queue' });
    const output = result.expect.nextEvent().isFunctionCallOutput({ isError: true }).event()
      .item.output;
    expect(output).toMatch(/^Invalid arguments for transfer_to_queue: /);
    expect(output).toContain('queue');
    expect(t.runtime.transfers).toEqual([]);
  });

  it('tells the LLM to apologize when the transfer fails', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'a person please',
        toolCalls: [transferCall({ queue: 'general', summary: 'Caller wants a person' })],
      },
    ]);
    const t = await start({ llm, runtime: new RecordingRuntime({ transferResult: 'failed' }) });
    const result = await t.run('a person please');

    // An error output, so neither the LLM nor the offline rules carry on as if it worked.
    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('did not go through');
    expect(output).toContain('Apologize');
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
  });
});
