/** Test helper: a loopback port to listen on. */
import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on right now (free until someone takes it).
 *
 * @example
 * const port = await freePort(); // 41873
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
