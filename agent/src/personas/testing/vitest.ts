/**
 * Vitest glue for persona tests: one persona test per `it`, closed after it,
 * with the agents logger set up once.
 */
import { initializeLogger, type llm, voice } from '@livekit/agents';
import { afterEach, beforeAll } from 'vitest';
import type { Persona } from '../persona.ts';
import { testPersona, type PersonaTest, type TestPersonaOptions } from './session.ts';

/**
 * Registers the hooks and returns a `start` function for the file's tests.
 *
 * @example
 * const start = usePersonaTests(triage);
 * it('routes a bill to billing', async () => {
 *   const t = await start();
 *   const result = await t.run('I have a question about my bill');
 *   expect(spokenReplies(result)).toEqual(['Let me connect you with our billing team.']);
 * });
 */
export function usePersonaTests(
  persona: Persona,
): (opts?: TestPersonaOptions) => Promise<PersonaTest> {
  let open: PersonaTest | undefined;
  beforeAll(() => {
    initializeLogger({ pretty: false, level: 'warn' });
  });
  afterEach(async () => {
    await open?.close();
    open = undefined;
  });
  return async (opts = {}) => {
    open = await testPersona(persona, opts);
    return open;
  };
}

/** What the agent said in a run, message by message. */
export function spokenReplies(result: voice.testing.RunResult): string[] {
  return result.events.flatMap((e) => (e.type === 'message' ? (e.item.textContent ?? []) : []));
}

/** The tool outputs of a run, in order: what each tool call told the LLM. */
export function toolOutputs(result: voice.testing.RunResult): llm.FunctionCallOutput[] {
  return result.events.flatMap((e) => (e.type === 'function_call_output' ? [e.item] : []));
}
