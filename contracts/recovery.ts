/**
 * How dispatch tells a crashed agent from one that finished: the agent keeps
 * its call phase in its participant attributes, and dispatch counts the
 * agents it has sent after a crash in the room's metadata.
 */
import { z } from 'zod';

/** Agent participant attributes (set by the agent, read from LiveKit's participant_left webhook). */
export const AGENT_ATTRIBUTES = Object.freeze({
  /** {@link AgentCallPhase}. */
  phase: 'gva.call',
  /** The route (routing file) the call came in on. */
  route: 'gva.route',
  /** The agent's job metadata (contracts/dispatch-metadata.ts): a replacement gets the same. */
  metadata: 'gva.metadata',
});

/**
 * `transferred` and `ending` are decisions: an agent that leaves after them
 * left on purpose. An agent leaving in any other phase (or before it set
 * one) left the caller alone.
 */
export type AgentCallPhase = 'conversing' | 'transferring' | 'transferred' | 'ending';

const recoveryMetadataSchema = z
  .object({ recovery: z.object({ attempts: z.number().int().min(0) }).strict() })
  .strict();

/**
 * Replacement agents already sent to a room, from its metadata (0 when none).
 *
 * @example
 * recoveryAttempts('{"recovery":{"attempts":1}}'); // 1
 */
export function recoveryAttempts(metadata: string | undefined): number {
  try {
    const parsed = recoveryMetadataSchema.safeParse(JSON.parse(metadata || '{}'));
    return parsed.success ? parsed.data.recovery.attempts : 0;
  } catch {
    return 0;
  }
}

/** Room metadata recording `attempts` replacement agents. */
export function recoveryMetadata(attempts: number): string {
  return JSON.stringify({ recovery: { attempts } });
}
