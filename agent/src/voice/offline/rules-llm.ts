/**
 * A deterministic LLM made of a persona's offline intents: the agent's brain
 * when no LLM provider is configured, and its degraded mode when the real LLM
 * fails mid-call (as the last LLM of a `llm.FallbackAdapter`). It makes the
 * same tool calls the persona's LLM would, with arguments only from the
 * persona's own declaration: nothing the caller says reaches a tool argument.
 *
 * It never throws and never calls a tool in reply to a tool's output, so it
 * cannot fail over or loop.
 */
import { DEFAULT_API_CONNECT_OPTIONS, llm, log, shortuuid } from '@livekit/agents';
import type { CallContext } from '../../../../contracts/call-context.ts';
import type { OfflineIntent, Persona } from '../../personas/persona.ts';
import { matchIntent } from './rules-llm-match.ts';

export { matchIntent } from './rules-llm-match.ts';

type ChatOptions = Parameters<llm.LLM['chat']>[0];

/** What one LLM turn produces: text to speak and at most one tool call. */
type Reply = Readonly<{ text?: string; toolCall?: Readonly<{ name: string; args: string }> }>;

/** What the latest chat item asks of the LLM. */
type Turn =
  | Readonly<{ kind: 'user'; text: string }>
  | Readonly<{ kind: 'tool_output'; name: string; isError: boolean; output: string }>
  | Readonly<{ kind: 'none' }>;

const SILENT: Reply = Object.freeze({});

/**
 * @example
 * // Offline voice: the rules are the only LLM.
 * const session = new voice.AgentSession({ llm: new RulesLLM(persona, call), stt, tts, vad });
 * // Degraded mode: the rules take over when the provider fails.
 * const brain = new llm.FallbackAdapter({ llms: [openaiLlm, new RulesLLM(persona, call)] });
 */
export class RulesLLM extends llm.LLM {
  readonly #persona: Persona;
  readonly #call: CallContext;

  constructor(persona: Persona, call: CallContext) {
    super();
    this.#persona = persona;
    this.#call = call;
  }

  override label(): string {
    return 'offline.RulesLLM';
  }

  override get model(): string {
    return `rules/${this.#persona.name}`;
  }

  override get provider(): string {
    return 'offline';
  }

  override chat({ chatCtx, toolCtx, connOptions, toolChoice }: ChatOptions): llm.LLMStream {
    let reply: Reply;
    try {
      reply = this.#reply(chatCtx, llm.toToolContext(toolCtx), toolChoice);
    } catch (error) {
      // Persona code (an intent's args) or an unexpected chat item: degrade, never fail the turn.
      this.#warn({ error }, 'offline rules could not answer; saying the no-match reply');
      reply = { text: this.#persona.offline.noMatch };
    }
    return new RulesLLMStream(this, reply, {
      chatCtx,
      ...(toolCtx ? { toolCtx } : {}),
      connOptions: connOptions ?? DEFAULT_API_CONNECT_OPTIONS,
    });
  }

  #reply(
    chatCtx: llm.ChatContext,
    tools: llm.ToolContext | undefined,
    toolChoice: llm.ToolChoice | undefined,
  ): Reply {
    const turn = latestTurn(chatCtx.items);
    switch (turn.kind) {
      case 'user':
        return this.#answer(turn.text, tools, toolChoice);
      case 'tool_output':
        // A successful tool's output is an instruction for an LLM: speak it only
        // through the intent's `reply`, else stay quiet (its `say` was spoken). A
        // failed call (bad arguments, tool threw) must not leave the caller in silence.
        if (!turn.isError) return this.#afterTool(turn.name, turn.output);
        this.#warn({ tool: turn.name }, 'tool call failed; telling the caller');
        return { text: this.#persona.offline.toolFailed };
      case 'none':
        return SILENT;
    }
  }

  #answer(
    text: string,
    tools: llm.ToolContext | undefined,
    toolChoice: llm.ToolChoice | undefined,
  ): Reply {
    const { intents, noMatch } = this.#persona.offline;
    const intent = matchIntent(intents, text);
    if (!intent) return { text: noMatch };
    if (!intent.call) return intent.say ? { text: intent.say } : SILENT;
    if (!callable(intent.call.tool, tools, toolChoice)) {
      this.#warn(
        { intent: intent.name, tool: intent.call.tool },
        'offline intent names a tool the agent cannot call; saying the no-match reply',
      );
      return { text: noMatch };
    }
    const args = argumentsOf(intent, this.#call);
    return {
      ...(intent.say ? { text: intent.say } : {}),
      toolCall: { name: intent.call.tool, args },
    };
  }

  #afterTool(tool: string, output: string): Reply {
    const intent = this.#persona.offline.intents.find((i) => i.call?.tool === tool && i.call.reply);
    const text = intent?.call?.reply?.(plainOutput(output));
    return text ? { text } : SILENT;
  }

  #warn(fields: Record<string, unknown>, message: string): void {
    log().warn({ persona: this.#persona.name, llm: this.label(), ...fields }, message);
  }
}

class RulesLLMStream extends llm.LLMStream {
  readonly #reply: Reply;

  constructor(
    rules: RulesLLM,
    reply: Reply,
    params: ConstructorParameters<typeof llm.LLMStream>[1],
  ) {
    super(rules, params);
    this.#reply = reply;
  }

  protected override async run(): Promise<void> {
    const id = shortuuid('rules_');
    const { text, toolCall } = this.#reply;
    if (text) this.queue.put({ id, delta: { role: 'assistant', content: text } });
    if (toolCall) {
      const call = llm.FunctionCall.create({ callId: shortuuid('call_'), ...toolCall });
      this.queue.put({ id, delta: { role: 'assistant', toolCalls: [call] } });
    }
  }
}

/**
 * The latest item that asks for a reply. Instructions and configuration
 * items are skipped; an assistant message or a dangling tool call asks for
 * nothing.
 */
function latestTurn(items: readonly llm.ChatItem[]): Turn {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item === undefined) continue;
    switch (item.type) {
      case 'message':
        if (item.role === 'user') return { kind: 'user', text: item.textContent ?? '' };
        if (item.role === 'assistant') return { kind: 'none' };
        continue;
      case 'function_call_output':
        return { kind: 'tool_output', name: item.name, isError: item.isError, output: item.output };
      case 'function_call':
        return { kind: 'none' };
      default:
        continue;
    }
  }
  return { kind: 'none' };
}

function callable(
  name: string,
  tools: llm.ToolContext | undefined,
  toolChoice: llm.ToolChoice | undefined,
): boolean {
  if (toolChoice === 'none') return false;
  if (typeof toolChoice === 'object' && toolChoice.function.name !== name) return false;
  return tools?.getFunctionTool(name) !== undefined;
}

/** The intent's declared arguments as JSON; throws if the declaration yields no object. */
function argumentsOf(intent: OfflineIntent, call: CallContext): string {
  const args: unknown = intent.call?.args(call);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TypeError(`offline intent "${intent.name}" args() did not return an object`);
  }
  return JSON.stringify(args);
}

/** agents-js stores a tool's string result JSON-encoded; personas reply with the plain text. */
function plainOutput(output: string): string {
  try {
    const value: unknown = JSON.parse(output);
    return typeof value === 'string' ? value : output;
  } catch {
    return output;
  }
}
