import { initializeLogger, voice } from '@livekit/agents';
import { afterEach, describe, expect, it } from 'vitest';
import type { DigitResult } from './collector.ts';
import { collected } from './collector.ts';
import { collectDigitsTool } from './tool.ts';

initializeLogger({ pretty: false, level: 'warn' });

const CARD = '4539578763621486';
const purposes = ['card_number', 'account_number'] as const;
type Purpose = (typeof purposes)[number];

let session: voice.AgentSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

/**
 * A real text-only `AgentSession` whose scripted LLM calls `collect_digits`;
 * `collect` is injected (the keypad side is tested in room-dtmf.test.ts).
 */
async function callTool(result: DigitResult, onCollectedReply?: string) {
  const received: [Purpose, string][] = [];
  const asked: Purpose[] = [];
  const tool = collectDigitsTool<Purpose>({
    purposes,
    collect: async (purpose) => {
      asked.push(purpose);
      return result;
    },
    onCollected: (purpose, value) => {
      received.push([purpose, value]);
      return onCollectedReply;
    },
  });
  const input = 'I want to pay by card';
  const llm = new voice.testing.FakeLLM([
    { input, toolCalls: [{ name: 'collect_digits', args: { purpose: 'card_number' } }] },
  ]);
  session = new voice.AgentSession({ llm });
  await session.start({
    agent: new voice.Agent({ instructions: 'Help the caller.', tools: { collect_digits: tool } }),
  });
  const run = await session.run({ userInput: input }).wait();
  const output = run.expect.containsFunctionCallOutput().event().item.output;
  const history = JSON.stringify(session.history.toJSON());
  return { output, history, received, asked };
}

describe('collectDigitsTool', () => {
  it('hands the digits to onCollected and tells the LLM only that they were received', async () => {
    const { output, history, received, asked } = await callTool(collected(CARD));
    expect(asked).toEqual(['card_number']);
    expect(received).toEqual([['card_number', CARD]]);
    expect(output).toContain('received');
    expect(output).not.toMatch(/[0-9]/);
    expect(history).not.toContain(CARD);
  });

  it("passes on the data action's reply, unless it echoes the digits", async () => {
    const ok = await callTool(collected(CARD), 'The payment was approved.');
    expect(ok.output).toContain('The payment was approved.');
    await session?.close();

    const leaky = await callTool(collected(CARD), `Card ${CARD} approved.`);
    expect(leaky.output).not.toContain(CARD);
    expect(leaky.history).not.toContain(CARD);
  });

  it('reports a give-up without calling onCollected', async () => {
    const { output, received } = await callTool({ status: 'gave_up', attempts: 3 });
    expect(output).toContain('could not enter a valid card_number after 3 attempts');
    expect(received).toEqual([]);
  });
});
