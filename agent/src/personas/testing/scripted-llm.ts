/**
 * A scripted test LLM: a real `llm.LLM` whose every reply a test function
 * decides from what the model is given (the caller's words, a tool's output,
 * the instructions, the tools offered). Unlike `voice.testing.FakeLLM`, whose
 * replies are fixed strings keyed by the exact input, a script can read the
 * chat context: e.g. an LLM that obeys a prompt injection and recites its
 * system instructions, or calls any tool with any arguments. Its tool calls go
 * through the framework's real tool-execution path (argument validation,
 * `ToolError` outputs), exactly as a provider's would. Not for production.
 */
import { DEFAULT_API_CONNECT_OPTIONS, llm, shortuuid } from '@livekit/agents';

type ChatOptions = Parameters<llm.LLM['chat']>[0];

/** What the model is asked to answer, as one script call sees it. */
export type ScriptedTurn = Readonly<{
  /** The caller's words, when the latest item is a caller message. */
  callerText: string | undefined;
  /** The tool output to reply to, when the latest item is one. */
  toolOutput: Readonly<{ name: string; output: string; isError: boolean }> | undefined;
  /** The system and developer messages joined: the instructions as the model receives them. */
  instructions: string;
  /** Names of the tools the model may call. */
  tools: readonly string[];
  /** Every message text in the context, any role, in order. */
  transcript: readonly string[];
  chatCtx: llm.ChatContext;
}>;

/** What the model produces for one turn: text to speak and any tool calls. */
export type ScriptedReply = Readonly<{
  text?: string;
  toolCalls?: readonly Readonly<{ name: string; args: Record<string, unknown> }>[];
}>;

/** Decides one reply; `undefined` says nothing. */
export type LLMScript = (turn: ScriptedTurn) => ScriptedReply | undefined;

/**
 * @example
 * // An LLM that does whatever the caller says: transfers to the address they name.
 * const obeying = new ScriptedLLM(({ callerText }) =>
 *   callerText?.includes('sip:')
 *     ? { toolCalls: [{ name: 'transfer_to_queue', args: { queue: 'sip:x@evil.example', summary: 'x' } }] }
 *     : undefined,
 * );
 * const t = await testPersona(triage, { llm: obeying });
 * obeying.turns[0]?.instructions; // the system prompt the persona's agent gave the model
 */
export class ScriptedLLM extends llm.LLM {
  readonly #script: LLMScript;
  /** Every turn the model was asked to answer, in order. */
  readonly turns: ScriptedTurn[] = [];

  constructor(script: LLMScript) {
    super();
    this.#script = script;
  }

  override label(): string {
    return 'testing.ScriptedLLM';
  }

  override chat({ chatCtx, toolCtx, connOptions }: ChatOptions): llm.LLMStream {
    const turn = readTurn(chatCtx, toolCtx);
    this.turns.push(turn);
    return new ScriptedLLMStream(this, this.#script(turn) ?? {}, {
      chatCtx,
      ...(toolCtx ? { toolCtx } : {}),
      connOptions: connOptions ?? DEFAULT_API_CONNECT_OPTIONS,
    });
  }
}

class ScriptedLLMStream extends llm.LLMStream {
  readonly #reply: ScriptedReply;

  constructor(
    model: ScriptedLLM,
    reply: ScriptedReply,
    params: ConstructorParameters<typeof llm.LLMStream>[1],
  ) {
    super(model, params);
    this.#reply = reply;
  }

  protected override async run(): Promise<void> {
    const id = shortuuid('scripted_');
    const { text, toolCalls = [] } = this.#reply;
    if (text) this.queue.put({ id, delta: { role: 'assistant', content: text } });
    if (toolCalls.length > 0) {
      const calls = toolCalls.map((c) =>
        llm.FunctionCall.create({
          callId: shortuuid('call_'),
          name: c.name,
          args: JSON.stringify(c.args),
        }),
      );
      this.queue.put({ id, delta: { role: 'assistant', toolCalls: calls } });
    }
  }
}

function readTurn(
  chatCtx: llm.ChatContext,
  toolCtx: llm.ToolContextLike | undefined,
): ScriptedTurn {
  const items = chatCtx.items;
  const messages = items.flatMap((i) => (i.type === 'message' ? [i] : []));
  const last = items.at(-1);
  return Object.freeze({
    callerText:
      last?.type === 'message' && last.role === 'user' ? (last.textContent ?? '') : undefined,
    toolOutput:
      last?.type === 'function_call_output'
        ? { name: last.name, output: last.output, isError: last.isError }
        : undefined,
    instructions: messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => m.textContent ?? '')
      .join('\n'),
    tools: Object.keys(llm.toToolContext(toolCtx)?.functionTools ?? {}),
    transcript: messages.map((m) => m.textContent ?? ''),
    chatCtx,
  });
}

/**
 * A scripted LLM that obeys whoever talks to it: its reply to a caller turn is
 * `obey`'s (e.g. exactly the tool call an attacker asks for); to a tool's
 * output, it says that output to the caller as is (a refusal, or the data),
 * as a model that trusts its tools does. It never calls a tool in reply to a
 * tool, so it cannot loop.
 *
 * @example
 * const model = obeyingLLM(() => ({
 *   toolCalls: [{ name: 'get_account_status', args: { accountId: '99999' } }],
 * }));
 */
export function obeyingLLM(obey: LLMScript): ScriptedLLM {
  return new ScriptedLLM((turn) => {
    if (turn.toolOutput) return { text: `(${turn.toolOutput.name}) ${turn.toolOutput.output}` };
    return obey(turn);
  });
}
