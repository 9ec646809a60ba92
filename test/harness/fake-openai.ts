/**
 * A FAKE of OpenAI's chat completions API on 127.0.0.1, for real-stack tests
 * of what the product does when the paid cloud LLM fails: every request is
 * answered with the status a test picks (an outage: 500) and recorded. It is
 * the benchmark's FAKE OpenAI (test/fakes/openai.ts) in its outage mode.
 */
import { startFakeOpenAi as startFake } from '../fakes/openai.ts';

export type FakeOpenAi = Readonly<{
  /** Base URL for OPENAI_BASE_URL. */
  url: string;
  /** Epoch ms of each request received, with its path. */
  requests: readonly Readonly<{ at: number; path: string }>[];
  close: () => Promise<void>;
}>;

/**
 * @example
 * const openai = await startFakeOpenAi(500);
 * // agent env: OPENAI_BASE_URL=openai.url, OPENAI_API_KEY=test-fake-key, OPENAI_MODEL=gpt-test
 */
export async function startFakeOpenAi(status: number): Promise<FakeOpenAi> {
  const fake = await startFake({ failWith: status });
  return Object.freeze({
    url: fake.url,
    get requests() {
      return fake.requests();
    },
    close: fake.close,
  });
}
