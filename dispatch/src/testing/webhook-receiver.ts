/** Test helper: a real HTTP server standing in for a call-record webhook receiver. */
import { createServer, type IncomingHttpHeaders } from 'node:http';

export type ReceivedRequest = Readonly<{
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered (`hang`: nothing). */
  answered: number | 'hang';
}>;

/** The status to answer the n-th request (1-based) with, or `hang` to never answer. */
export type Respond = (n: number) => number | 'hang';

export type Receiver = {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Changes how later requests are answered. */
  respond: Respond;
  /** Resolves with the next request to arrive (or the n-th overall once it has). */
  request(n: number): Promise<ReceivedRequest>;
  /** Stops listening and drops open connections (hanging requests included). */
  close(): Promise<void>;
};

/**
 * Listens on 127.0.0.1 (`port`, or any free one).
 *
 * @example
 * const receiver = await startReceiver({ respond: (n) => (n === 1 ? 500 : 200) });
 * await receiver.request(2); // the second request, once it arrived
 * await receiver.close();
 */
export async function startReceiver(
  options: { port?: number; respond?: Respond } = {},
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiting = new Map<number, (r: ReceivedRequest) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = receiver.respond(requests.length + 1);
      const received = {
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
      };
      requests.push(received);
      waiting.get(requests.length)?.(received);
      if (answered === 'hang') return;
      res.writeHead(answered, answered >= 300 && answered < 400 ? { location: '/elsewhere' } : {});
      res.end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks/calls`,
    port,
    requests,
    respond: options.respond ?? (() => 200),
    request: (n) => {
      const done = requests[n - 1];
      return done ? Promise.resolve(done) : new Promise((r) => waiting.set(n, r));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
