import { llm, voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { createPersonaAgent, ESCALATION_INSTRUCTIONS, withLlm } from './agent.ts';
import { RecordingRuntime, usePersonaTests } from './testing/index.ts';
import overflow from './overflow.ts';

const start = usePersonaTests(overflow);

describe('every persona agent', () => {
  it('escalates an out-of-scope request to the route queue with reason out_of_scope', async () => {
    const summary = 'Caller asks about a legal dispute over a contract';
    const llm = new voice.testing.FakeLLM([
      {
        input: 'can you give me legal advice about my contract',
        toolCalls: [{ name: 'escalate_to_human', args: { summary } }],
      },
    ]);
    const runtime = new RecordingRuntime({ humanQueue: 'general' });
    const t = await start({ llm, runtime });
    const result = await t.run('can you give me legal advice about my contract');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(runtime.transfers).toEqual([{ queue: 'general', reason: 'out_of_scope', summary }]);
  });

  it('tells the LLM when an escalation does not go through', async () => {
    const llm = new voice.testing.FakeLLM([
      {
        input: 'what is the meaning of life',
        toolCalls: [{ name: 'escalate_to_human', args: { summary: 'Philosophy question' } }],
      },
    ]);
    const t = await start({ llm, runtime: new RecordingRuntime({ transferResult: 'failed' }) });
    const result = await t.run('what is the meaning of life');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('did not go through');
  });

  it('instructs the LLM to escalate rather than guess', async () => {
    const t = await start();
    expect(t.agent.instructions).toContain(overflow.instructions);
    expect(t.agent.instructions).toContain(ESCALATION_INSTRUCTIONS);
  });

  it('stops the reply to a caller turn the call runner takes (keys said into an entry)', async () => {
    const agent = createPersonaAgent(overflow, new RecordingRuntime(), {
      onCallerTurn: (m) => {
        if (m.textContent !== 'two oh four oh') return 'reply';
        m.content = ['[number]'];
        return 'skip';
      },
    });
    const said = llm.ChatMessage.create({ role: 'user', content: 'two oh four oh' });
    await expect(agent.onUserTurnCompleted(llm.ChatContext.empty(), said)).rejects.toBeInstanceOf(
      voice.StopResponse,
    );
    expect(said.textContent).toBe('[number]');
    const asked = llm.ChatMessage.create({ role: 'user', content: 'can I get a callback' });
    await expect(
      agent.onUserTurnCompleted(llm.ChatContext.empty(), asked),
    ).resolves.toBeUndefined();
  });
});

describe('withLlm', () => {
  it('carries the persona on with another model: same instructions, tools, filter and history', async () => {
    const runtime = new RecordingRuntime({ humanQueue: 'general' });
    const seen: string[] = [];
    const agent = createPersonaAgent(overflow, runtime, {
      onCallerTurn: (m) => (seen.push(m.textContent ?? ''), 'skip'),
    });
    const history = agent.chatCtx.copy();
    history.addMessage({ role: 'assistant', content: 'Hello, how can I help?' });
    await agent.updateChatCtx(history);
    const model = new voice.testing.FakeLLM([]);

    const next = withLlm(agent, model);
    expect(next).toBeDefined();
    expect(next?.llm).toBe(model);
    expect(next?.instructions).toBe(agent.instructions);
    expect(Object.keys(next?.toolCtx ?? {})).toEqual(Object.keys(agent.toolCtx));
    expect(next?.chatCtx.items.map((i) => i.type === 'message' && i.textContent)).toContain(
      'Hello, how can I help?',
    );
    await expect(
      next?.onUserTurnCompleted(history, llm.ChatMessage.create({ role: 'user', content: '1234' })),
    ).rejects.toBeInstanceOf(voice.StopResponse);
    expect(seen).toEqual(['1234']);
  });

  it('leaves an agent it did not build alone', () => {
    expect(withLlm(new voice.Agent({ instructions: 'x' }), new voice.testing.FakeLLM([]))).toBe(
      undefined,
    );
  });
});
