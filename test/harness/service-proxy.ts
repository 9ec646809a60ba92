/**
 * A Kubernetes Service in front of dispatch's replicas, for the local
 * stack: one port, each new TCP connection to the next replica in turn, and
 * past a replica that refuses (killed, restarting) to the next. Connections
 * stay with the replica they reached, as kube-proxy keeps them.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ServiceProxy = Readonly<{ close: () => Promise<void> }>;

/**
 * @example
 * const service = await startServiceProxy(8080, [18081, 18082]);
 * await service.close();
 */
export async function startServiceProxy(
  port: number,
  backends: readonly number[],
): Promise<ServiceProxy> {
  let next = 0;
  const open = new Set<Socket>();
  const forward = (client: Socket, tried: number) => {
    if (tried >= backends.length) return void client.destroy();
    const backend = backends[next++ % backends.length] ?? 0;
    const upstream = connect({ host: '127.0.0.1', port: backend });
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    let connected = false;
    upstream.once('error', () => {
      // Refused before anything was sent (the client is still paused): the next replica.
      if (!connected) forward(client, tried + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream);
      upstream.pipe(client);
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    });
  };
  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    // Paused until a replica accepts: pipe() resumes it, so nothing sent meanwhile is lost.
    client.pause();
    forward(client, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return Object.freeze({
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  });
}
