/**
 * agents-js (1.9) streams every AgentSession event (agent and user states,
 * metrics, transcripts, conversation items) to the room's linked participant
 * as byte streams, for LiveKit's console and hosted tools. On a phone call
 * that participant is livekit-sip, which drops them: each is several FFI
 * requests and data-channel packets through livekit-server, about 4 % of a
 * call's JavaScript-thread CPU in the benchmark's profile (docs/benchmark.md),
 * and it carries the caller's transcripts through the room for nothing.
 */
import type { voice } from '@livekit/agents';

/** The framework's private session host, as far as this reads it. */
type HostHolder = { sessionHost?: { close: () => Promise<void> } | undefined };

/**
 * Stops a started session's event stream to the linked participant. Resolves
 * with whether there was one; nothing else of the session changes.
 *
 * @example
 * await session.start({ agent, room });
 * await stopSessionEventStream(session); // true
 */
export async function stopSessionEventStream(session: voice.AgentSession): Promise<boolean> {
  const holder = session as unknown as HostHolder;
  const host = holder.sessionHost;
  if (!host || typeof host.close !== 'function') return false;
  holder.sessionHost = undefined;
  await host.close();
  return true;
}
