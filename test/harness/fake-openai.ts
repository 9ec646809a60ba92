/**
 * A FAKE of OpenAI's chat completions API on 127.0.0.1, for real-stack tests
 * of what the product does when the paid cloud LLM fails: every request is
 * answered with the status a test picks (an outage: 500) and recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const requests: { at: number; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ at: Date.now(), path: req.url ?? '' });
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'fake outage', type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
