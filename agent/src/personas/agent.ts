/**
 * The LiveKit agent a persona runs as. Calls and persona tests both build it
 * here, so a test exercises exactly the instructions and tools a caller gets.
 */
import { voice } from '@livekit/agents';
import type { Persona } from './persona.ts';
import type { PersonaRuntime } from './runtime.ts';

/** Agent options a caller may add; instructions and tools always come from the persona. */
export type PersonaAgentOptions = Omit<voice.AgentOptions<unknown>, 'instructions' | 'tools'>;

/**
 * Builds the persona's `voice.Agent` for one call: its instructions, and its
 * tools bound to the call's runtime.
 *
 * @example
 * const agent = createPersonaAgent(persona, runtime);
 * await session.start({ agent, room: ctx.room });
 */
export function createPersonaAgent(
  persona: Persona,
  runtime: PersonaRuntime,
  opts: PersonaAgentOptions = {},
): voice.Agent {
  return new voice.Agent({
    ...opts,
    instructions: persona.instructions,
    tools: persona.tools(runtime),
  });
}
