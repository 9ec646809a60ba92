/**
 * Persona test kit: talk to a persona in text, with no audio and no network,
 * and assert on what it said and what its tools asked the product to do.
 *
 * - {@link testPersona} runs the persona in a real `AgentSession` with the
 *   persona's offline rules as the LLM, or a scripted `voice.testing.FakeLLM`.
 * - {@link RecordingRuntime} records transfers and callbacks and returns the
 *   results a test chooses (`transferResult: 'failed'` for the failure path).
 * - {@link ScriptedLLM} is a test LLM whose replies and tool calls a function
 *   decides from what the model is given (e.g. one that obeys an injection).
 * - {@link testCall} is a realistic Genesys call context.
 * - {@link offlineIntentProblems} finds offline intents that would misfire.
 * - {@link usePersonaTests} and {@link spokenReplies} cut Vitest boilerplate.
 *
 * @example
 * import { initializeLogger, voice } from '@livekit/agents';
 * import { RecordingRuntime, testPersona } from './testing/index.ts';
 * import triage from './triage.ts';
 *
 * initializeLogger({ pretty: false, level: 'warn' });
 *
 * it('routes a scripted LLM transfer through the runtime', async () => {
 *   const runtime = new RecordingRuntime({ transferResult: 'failed' });
 *   const transfer = { queue: 'general', summary: 'Caller wants a person' };
 *   const llm = new voice.testing.FakeLLM([
 *     { input: 'a person please', toolCalls: [{ name: 'transfer_to_queue', args: transfer }] },
 *   ]);
 *   const t = await testPersona(triage, { llm, runtime });
 *   try {
 *     const result = await t.run('a person please');
 *     const output = result.expect.containsFunctionCallOutput().event().item.output;
 *     expect(output).toContain('did not go through');
 *     expect(runtime.transfers).toHaveLength(1);
 *   } finally {
 *     await t.close();
 *   }
 * });
 */
export { testCall, TEST_CALL_ATTRIBUTES } from './call.ts';
export {
  startCustomerApi,
  TEST_ACCOUNT,
  type CustomerApi,
  type CustomerApiReply,
  type CustomerApiRequest,
} from './customer-api.ts';
export { RecordingRuntime, type RecordedLookup, type RecordingRuntimeOptions } from './runtime.ts';
export { offlineIntentProblems } from './intents.ts';
export {
  obeyingLLM,
  ScriptedLLM,
  type LLMScript,
  type ScriptedReply,
  type ScriptedTurn,
} from './scripted-llm.ts';
export { testPersona, type PersonaTest, type TestPersonaOptions } from './session.ts';
export { spokenReplies, toolOutputs, usePersonaTests } from './vitest.ts';
