/**
 * The LiveKit agent a persona runs as. Calls and persona tests both build it
 * here, so a test exercises exactly the instructions and tools a caller gets.
 */
import { llm, voice } from '@livekit/agents';
import type { Persona } from './persona.ts';
import type { PersonaRuntime } from './runtime.ts';
import { escalateTool } from './tools.ts';

/**
 * Decides whether a finished caller turn gets a reply; may rewrite the
 * message first (e.g. mask digits the caller said into a keypad entry).
 */
export type CallerTurnFilter = (message: llm.ChatMessage) => 'reply' | 'skip';

/** Agent options a caller may add; instructions and tools always come from the persona. */
export type PersonaAgentOptions = Omit<voice.AgentOptions<unknown>, 'instructions' | 'tools'> & {
  onCallerTurn?: CallerTurnFilter;
};

/** Told to every persona's LLM: out-of-scope requests go to a person, never a guess. */
export const ESCALATION_INSTRUCTIONS =
  'If the caller asks for something you cannot do, or you are not sure of the answer, do not ' +
  'guess: call escalate_to_human with a one-sentence summary.';

class PersonaAgent extends voice.Agent {
  readonly #options: voice.AgentOptions<unknown>;
  readonly #onCallerTurn: CallerTurnFilter | undefined;

  constructor(options: voice.AgentOptions<unknown>, onCallerTurn: CallerTurnFilter | undefined) {
    super(options);
    this.#options = options;
    this.#onCallerTurn = onCallerTurn;
  }

  /** The same persona, instructions, tools and turn filter, answering with `model`. */
  withLlm(model: llm.LLM): PersonaAgent {
    return new PersonaAgent(
      { ...this.#options, llm: model, chatCtx: this.chatCtx.copy() },
      this.#onCallerTurn,
    );
  }

  override async onUserTurnCompleted(
    _chatCtx: llm.ChatContext,
    newMessage: llm.ChatMessage,
  ): Promise<void> {
    if (this.#onCallerTurn?.(newMessage) === 'skip') throw new voice.StopResponse();
  }
}

/**
 * The persona agent of a call carrying on with another model (the pipeline's
 * LLM after the realtime model failed), its conversation so far kept;
 * undefined for an agent not built by {@link createPersonaAgent}.
 *
 * @example
 * const next = withLlm(agent, pipelineLlm);
 * if (next) session.updateAgent(next);
 */
export function withLlm(agent: voice.Agent, model: llm.LLM): voice.Agent | undefined {
  return agent instanceof PersonaAgent ? agent.withLlm(model) : undefined;
}

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
  const { onCallerTurn, ...agentOptions } = opts;
  return new PersonaAgent(
    {
      ...agentOptions,
      instructions: `${persona.instructions}\n\n${ESCALATION_INSTRUCTIONS}`,
      tools: { escalate_to_human: escalateTool(runtime), ...persona.tools(runtime) },
    },
    onCallerTurn,
  );
}
