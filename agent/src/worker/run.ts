/**
 * Runs the agent worker: the framework's AgentServer in production mode,
 * with this product's signal handling in place of the framework's CLI (whose
 * SIGTERM drain cuts calls off, see worker/drain.ts). SIGTERM and SIGINT both
 * drain: no new call, every call ends on its own or at the drain timeout.
 */
import { AgentServer, initializeLogger, log, ServerOptions } from '@livekit/agents';
import { drainWorker } from './drain.ts';

type Options = ConstructorParameters<typeof ServerOptions>[0];

/**
 * @example
 * await runWorker({ agent, agentName, wsURL, apiKey, apiSecret }, { drainTimeoutMs: 1_800_000, logLevel: 'info' });
 */
export async function runWorker(
  options: Omit<Options, 'production'>,
  settings: Readonly<{
    drainTimeoutMs: number;
    logLevel: string;
    /** Runs once the worker has drained and closed, before it exits. */
    closed?: () => Promise<void>;
    /** Runs once the framework's logger and the server are set up, before the worker registers. */
    started?: (server: AgentServer) => void;
  }>,
): Promise<void> {
  initializeLogger({ pretty: false, level: settings.logLevel });
  const server = new AgentServer(new ServerOptions({ ...options, production: true }));
  settings.started?.(server);
  const stop = (code: number) => {
    drainWorker(server, settings.drainTimeoutMs, log())
      .then(() => settings.closed?.())
      .then(
        () => process.exit(code),
        (err: unknown) => {
          log().error({ error: String(err) }, 'worker did not close cleanly');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop(143));
  process.once('SIGINT', () => {
    process.once('SIGINT', () => process.exit(130));
    stop(130);
  });
  try {
    await server.run();
  } catch (err) {
    log().fatal({ error: String(err) }, 'worker stopped on an error');
    process.exit(1);
  }
}
