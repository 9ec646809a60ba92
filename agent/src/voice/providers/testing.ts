/**
 * Test support: proof that code under test opened no connection, a local
 * port nothing listens on (connection refused, no cloud involved), and the
 * problems the voice settings find in an environment.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { parseVoiceSettings, VoiceSettingsError } from './settings.ts';

/**
 * The issues `parseVoiceSettings` reports for `env`; throws if it accepts it.
 *
 * @example
 * settingsIssues({ VOICE_MODE: 'loud' }); // ['VOICE_MODE: must be auto, cloud or offline']
 */
export function settingsIssues(
  env: Readonly<Record<string, string | undefined>>,
): readonly string[] {
  try {
    parseVoiceSettings(env);
  } catch (err) {
    if (err instanceof VoiceSettingsError) return err.issues;
    throw err;
  }
  throw new Error('expected a VoiceSettingsError');
}

/** Node publishes on these when a TCP socket, an http request or a fetch starts. */
const CHANNELS = ['net.client.socket', 'http.client.request.start', 'undici:request:create'];

export type NetworkWatch = Readonly<{
  /** Channels that fired since the watch started, in order. */
  events: readonly string[];
  stop: () => void;
}>;

/**
 * Records every outgoing connection attempt of this process until `stop()`.
 *
 * @example
 * const watch = watchNetwork();
 * new deepgram.STT({ apiKey: 'k' });
 * watch.stop();
 * expect(watch.events).toEqual([]);
 */
export function watchNetwork(): NetworkWatch {
  const events: string[] = [];
  const listeners = CHANNELS.map((name) => {
    const listener = () => events.push(name);
    subscribe(name, listener);
    return [name, listener] as const;
  });
  return {
    events,
    stop: () => {
      for (const [name, listener] of listeners) unsubscribe(name, listener);
    },
  };
}

/**
 * A loopback port that refuses connections: bound once to pick a free port, then released.
 *
 * @example
 * const port = await closedPort(); // fetch(`http://127.0.0.1:${port}`) fails with ECONNREFUSED
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * Runs `fn` and returns the promise rejections nothing handled meanwhile,
 * instead of failing the test run on them. An agents-js ChunkedStream whose
 * synthesis fails leaves its internal task's rejection unobserved (the
 * failure reaches callers as an `error` event and an early end); the worker's
 * job process logs such rejections at debug level, and so may a test.
 *
 * @example
 * const { rejections } = await collectUnhandledRejections(() => failingTts.synthesize('Hi').collect());
 * expect(rejections).toHaveLength(1);
 */
export async function collectUnhandledRejections<T>(
  fn: () => Promise<T>,
  settleMs = 100,
): Promise<{ result: T; rejections: unknown[] }> {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const rejections: unknown[] = [];
  const record = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', record);
  try {
    const result = await fn();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { result, rejections };
  } finally {
    process.off('unhandledRejection', record);
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
}
