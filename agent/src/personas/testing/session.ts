/**
 * Text-level conversations with a persona: a real `AgentSession` with no
 * room, no audio and no network, driven by the persona's offline rules or by
 * a scripted LLM the test supplies.
 */
import { voice, type llm } from '@livekit/agents';
import type { CallContext } from '../../../../contracts/call-context.ts';
import { RulesLLM } from '../../voice/offline/rules-llm.ts';
import { createPersonaAgent, type CallerTurnFilter } from '../agent.ts';
import type { Persona } from '../persona.ts';
import type { PersonaRuntime } from '../runtime.ts';
import { RecordingRuntime } from './runtime.ts';

export type TestPersonaOptions<R extends PersonaRuntime = RecordingRuntime> = Readonly<{
  /** Filters caller turns as the call runner does (see `createPersonaAgent`). */
  onCallerTurn?: CallerTurnFilter;
  /**
   * The LLM that drives the conversation. Default: `new RulesLLM(persona, call)`,
   * the persona's offline intents. Pass a `voice.testing.FakeLLM` to script what
   * an LLM says and which tools it calls.
   */
  llm?: llm.LLM;
  /**
   * Where the persona's tools act. Default: a {@link RecordingRuntime} for
   * `testCall()` that allows the persona's `transferTargets`. Any other
   * runtime works too, e.g. a live call's (call/testing/persona-runtime.ts).
   */
  runtime?: R;
  /** How long one caller turn may take, tool calls included. Default: 10 s. */
  turnTimeoutMs?: number;
}>;

export type PersonaTest<R extends PersonaRuntime = RecordingRuntime> = Readonly<{
  session: voice.AgentSession;
  agent: voice.Agent;
  llm: llm.LLM;
  runtime: R;
  call: CallContext;
  /**
   * Sends one caller utterance as text and waits until the agent has finished
   * replying, tool calls and the replies to their outputs included.
   */
  run: (userInput: string) => Promise<voice.testing.RunResult>;
  /** Closes the session. */
  close: () => Promise<void>;
  [Symbol.asyncDispose]: () => Promise<void>;
}>;

/**
 * Starts a text-only session running the persona as a real call would
 * (see `createPersonaAgent`). Requires the agents logger: call
 * `initializeLogger({ pretty: false, level: 'warn' })` once per test file.
 *
 * @example
 * const t = await testPersona(triage);
 * try {
 *   const result = await t.run('I have a question about my bill');
 *   result.expect.containsFunctionCall({ name: 'transfer_to_queue' });
 *   expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['billing']);
 * } finally {
 *   await t.close();
 * }
 */
export function testPersona(persona: Persona, opts?: TestPersonaOptions): Promise<PersonaTest>;
export function testPersona<R extends PersonaRuntime>(
  persona: Persona,
  opts: TestPersonaOptions<R> & { runtime: R },
): Promise<PersonaTest<R>>;
export async function testPersona(
  persona: Persona,
  opts: TestPersonaOptions<PersonaRuntime> = {},
): Promise<PersonaTest<PersonaRuntime>> {
  const runtime = opts.runtime ?? new RecordingRuntime({ allowedQueues: persona.transferTargets });
  const model = opts.llm ?? new RulesLLM(persona, runtime.call);
  const agent = createPersonaAgent(
    persona,
    runtime,
    opts.onCallerTurn ? { onCallerTurn: opts.onCallerTurn } : {},
  );
  const session = new voice.AgentSession({ llm: model });
  await session.start({ agent });
  const timeoutMs = opts.turnTimeoutMs ?? 10_000;

  const run = (userInput: string) =>
    withTimeout(session.run({ userInput }).wait(), timeoutMs, userInput);
  const close = () => session.close();
  return Object.freeze({
    session,
    agent,
    llm: model,
    runtime,
    call: runtime.call,
    run,
    close,
    [Symbol.asyncDispose]: close,
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number, userInput: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `persona did not finish replying to ${JSON.stringify(userInput)} within ${ms} ms`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
