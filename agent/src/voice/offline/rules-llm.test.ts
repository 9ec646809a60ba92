import {
  APIConnectionError,
  DEFAULT_API_CONNECT_OPTIONS,
  initializeLogger,
  llm,
} from '@livekit/agents';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { definePersona, type Persona } from '../../personas/persona.ts';
import { testCall } from '../../personas/testing/index.ts';
import selfService from '../../personas/self-service.ts';
import triage from '../../personas/triage.ts';
import { matchIntent, RulesLLM } from './rules-llm.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

describe('matchIntent', () => {
  const intents = [
    { name: 'billing', phrases: ['bill', 'my bill', 'refund'] },
    { name: 'person', phrases: ['talk to someone', 'a person', "i'd like an agent"] },
  ] as const;

  it('matches whole-word sequences only', () => {
    expect(matchIntent(intents, 'my bill is wrong')?.name).toBe('billing');
    expect(matchIntent(intents, 'is billy there')).toBeUndefined();
    expect(matchIntent(intents, 'I want to talk to someone')?.name).toBe('person');
    expect(matchIntent(intents, 'talk to some one')).toBeUndefined();
  });

  it('takes the first declared intent when several match', () => {
    expect(matchIntent(intents, "I'd like to talk to someone about my bill")?.name).toBe('billing');
  });

  it('matches phrases with contractions however the recognizer spelled them', () => {
    expect(matchIntent(intents, 'I would like an agent')?.name).toBe('person');
    expect(matchIntent(intents, 'I’d like an agent.')?.name).toBe('person');
  });

  it('matches nothing in an empty utterance, and ignores empty phrases', () => {
    expect(matchIntent(intents, ' ... ')).toBeUndefined();
    expect(matchIntent([{ name: 'blank', phrases: ["'"] }], "' hello '")).toBeUndefined();
  });
});

const transferTool = llm.tool({
  description: 'transfer',
  parameters: z.object({ queue: z.string(), summary: z.string() }),
  execute: async () => 'ok',
});

function chat(
  persona: Persona,
  items: llm.ChatItem[],
  opts: { tools?: llm.ToolContextLike; toolChoice?: llm.ToolChoice } = {},
) {
  const rules = new RulesLLM(persona, testCall({ ani: '+15550001111' }));
  return rules
    .chat({
      chatCtx: new llm.ChatContext(items),
      toolCtx: opts.tools ?? { transfer_to_queue: transferTool },
      ...(opts.toolChoice ? { toolChoice: opts.toolChoice } : {}),
    })
    .collect();
}

const user = (text: string) => llm.ChatMessage.create({ role: 'user', content: text });

describe('RulesLLM', () => {
  it('identifies itself as the offline rules', () => {
    const rules = new RulesLLM(triage, testCall());
    expect(rules.label()).toBe('offline.RulesLLM');
    expect(rules.provider).toBe('offline');
    expect(rules.model).toBe('rules/triage');
  });

  it("says the intent's reply and calls its tool with the persona's arguments", async () => {
    const out = await chat(triage, [user('Can I get a refund?')]);
    expect(out.text).toBe('Let me connect you with our billing team.');
    expect(out.toolCalls).toHaveLength(1);
    expect(out.toolCalls[0]?.name).toBe('transfer_to_queue');
    expect(JSON.parse(out.toolCalls[0]?.args ?? '')).toEqual({
      queue: 'billing',
      summary: 'Caller +15550001111 asked about a bill',
    });
  });

  it('answers the latest user message, past instructions and config items', async () => {
    const out = await chat(triage, [
      user('what is the weather'),
      llm.ChatMessage.create({ role: 'assistant', content: 'Sorry?' }),
      user('a person please'),
      llm.ChatMessage.create({ role: 'system', content: 'be brief' }),
      llm.AgentConfigUpdate.create({ instructions: 'x' }),
    ]);
    expect(JSON.parse(out.toolCalls[0]?.args ?? '')).toMatchObject({ queue: 'general' });
  });

  it('says the no-match reply and calls nothing when no intent matches', async () => {
    const out = await chat(triage, [user("what's the weather")]);
    expect(out).toMatchObject({ text: triage.offline.noMatch, toolCalls: [] });
  });

  it('says the no-match reply when the tool is not available to it', async () => {
    for (const opts of [{ tools: [] }, { toolChoice: 'none' as const }]) {
      const out = await chat(triage, [user('my bill')], opts);
      expect(out).toMatchObject({ text: triage.offline.noMatch, toolCalls: [] });
    }
  });

  it('says nothing after a successful tool output, and never calls a tool again', async () => {
    const out = await chat(triage, [
      user('my bill'),
      llm.FunctionCall.create({ callId: 'c1', name: 'transfer_to_queue', args: '{}' }),
      llm.FunctionCallOutput.create({
        callId: 'c1',
        name: 'transfer_to_queue',
        output: '"Transferring"',
        isError: false,
      }),
    ]);
    expect(out).toMatchObject({ text: '', toolCalls: [] });
  });

  it('tells the caller when a tool call fails', async () => {
    const out = await chat(triage, [
      user('my bill'),
      llm.FunctionCall.create({ callId: 'c1', name: 'transfer_to_queue', args: '{}' }),
      llm.FunctionCallOutput.create({
        callId: 'c1',
        name: 'transfer_to_queue',
        output: 'Invalid arguments',
        isError: true,
      }),
    ]);
    expect(out).toMatchObject({ text: triage.offline.toolFailed, toolCalls: [] });
  });

  it("speaks a successful tool's output through the intent's reply", async () => {
    const out = await chat(selfService, [
      user('what is my balance'),
      llm.FunctionCall.create({ callId: 'c1', name: 'get_account_status', args: '{}' }),
      llm.FunctionCallOutput.create({
        callId: 'c1',
        name: 'get_account_status',
        output: 'Balance 42.00 USD, due 2026-12-01, account active.',
        isError: false,
      }),
    ]);
    expect(out).toMatchObject({
      text: 'Balance 42.00 USD, due 2026-12-01, account active.',
      toolCalls: [],
    });
  });

  it('says nothing when there is nothing to answer', async () => {
    expect(await chat(triage, [])).toMatchObject({ text: '', toolCalls: [] });
    const afterAssistant = await chat(triage, [
      llm.ChatMessage.create({ role: 'assistant', content: 'Hello' }),
    ]);
    expect(afterAssistant).toMatchObject({ text: '', toolCalls: [] });
  });

  it('does not throw when an intent declaration fails', async () => {
    const broken = definePersona({
      ...triage,
      offline: {
        intents: [
          {
            name: 'broken',
            phrases: ['bill'],
            say: 'One moment.',
            call: {
              tool: 'transfer_to_queue',
              args: () => {
                throw new Error('bug in persona');
              },
            },
          },
          { name: 'quiet', phrases: ['thanks'] },
        ],
        noMatch: 'Sorry?',
        toolFailed: 'Sorry, that failed.',
      },
    });
    expect(await chat(broken, [user('bill')])).toMatchObject({ text: 'Sorry?', toolCalls: [] });
    expect(await chat(broken, [user('thanks')])).toMatchObject({ text: '', toolCalls: [] });
  });

  it('takes over when the LLM before it in a FallbackAdapter fails', async () => {
    const adapter = new llm.FallbackAdapter({
      llms: [new UnreachableLLM(), new RulesLLM(triage, testCall())],
    });
    const out = await adapter
      .chat({
        chatCtx: new llm.ChatContext([user('representative')]),
        toolCtx: { transfer_to_queue: transferTool },
      })
      .collect();
    expect(out.text).toBe('Let me connect you with one of our team.');
    expect(out.toolCalls.map((c) => c.name)).toEqual(['transfer_to_queue']);
  });
});

/** An LLM provider that cannot be reached, as when the network or the API key fails. */
class UnreachableLLM extends llm.LLM {
  override label(): string {
    return 'test.UnreachableLLM';
  }

  override chat({ chatCtx, connOptions }: Parameters<llm.LLM['chat']>[0]): llm.LLMStream {
    return new UnreachableStream(this, {
      chatCtx,
      connOptions: connOptions ?? DEFAULT_API_CONNECT_OPTIONS,
    });
  }
}

class UnreachableStream extends llm.LLMStream {
  protected override async run(): Promise<void> {
    throw new APIConnectionError({ message: 'connection refused', options: { retryable: false } });
  }
}
