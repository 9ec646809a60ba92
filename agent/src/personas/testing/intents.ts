/**
 * Checks of a persona's offline intents that otherwise surface only during a
 * call, when the offline voice or a failed LLM falls back to them.
 */
import { llm } from '@livekit/agents';
import type { CallContext } from '../../../../contracts/call-context.ts';
import { matchIntent } from '../../voice/offline/rules-llm-match.ts';
import type { Persona } from '../persona.ts';
import { testCall } from './call.ts';
import { RecordingRuntime } from './runtime.ts';

type SafeParser = { safeParse: (value: unknown) => { success: boolean; error?: unknown } };

/**
 * Problems with the persona's offline intents, one sentence each: an intent
 * that neither speaks nor calls, calls a tool the persona lacks, declares
 * arguments its tool refuses for `call`, or has a phrase an earlier intent
 * always takes first.
 *
 * @example
 * expect(offlineIntentProblems(triage)).toEqual([]);
 */
export function offlineIntentProblems(persona: Persona, call: CallContext = testCall()): string[] {
  const tools = llm.toToolContext(persona.tools(new RecordingRuntime({ call })));
  const { intents } = persona.offline;
  const problems: string[] = [];
  for (const intent of intents) {
    const where = `intent "${intent.name}"`;
    for (const phrase of intent.phrases) {
      const winner = matchIntent(intents, phrase);
      if (winner !== intent) {
        const by = winner ? `intent "${winner.name}" matches it first` : 'it has no words';
        problems.push(`${where}: phrase "${phrase}" never matches: ${by}`);
      }
    }
    if (!intent.call) {
      if (!intent.say) problems.push(`${where} neither says nor calls anything`);
      continue;
    }
    const tool = tools.getFunctionTool(intent.call.tool);
    if (!tool) {
      problems.push(`${where} calls "${intent.call.tool}", which the persona's tools lack`);
      continue;
    }
    let args: unknown;
    try {
      args = intent.call.args(call);
    } catch (error) {
      problems.push(`${where}: args() threw ${String(error)}`);
      continue;
    }
    const schema = tool.parameters as Partial<SafeParser>;
    const parsed = typeof schema.safeParse === 'function' ? schema.safeParse(args) : undefined;
    if (parsed && !parsed.success) {
      problems.push(`${where}: "${intent.call.tool}" refuses its args: ${String(parsed.error)}`);
    }
  }
  return problems;
}
