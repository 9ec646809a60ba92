/**
 * A persona: who answers a call and how. One file per persona under
 * `personas/`, registered in `registry.ts`. A persona declares its words, its
 * tools and where it may send callers; the product enforces the rest.
 */
import type { llm } from '@livekit/agents';
import { z } from 'zod';
import type { CallContext } from '../../../contracts/call-context.ts';
import { parseHandoffPolicy, type HandoffPolicyInput } from '../policy/handoff-policy.ts';
import type { PersonaRuntime } from './runtime.ts';

/** Tools a persona gives the LLM, built per call from the call's runtime; keys are tool names. */
export type PersonaTools = (runtime: PersonaRuntime) => llm.ToolContextLike;

/**
 * What the offline rules engine does when a caller's words match: the same
 * tool calls the LLM would make, so the offline voice and a failed LLM keep
 * the persona's behaviour.
 */
export type OfflineIntent = Readonly<{
  name: string;
  /** Word sequences (lower case) any of which triggers the intent. */
  phrases: readonly string[];
  /**
   * Whole sentences callers say for this intent. They only teach the offline
   * recognizer (its grammar), which hears full sentences far better than
   * keywords; matching still uses `phrases`.
   */
  examples?: readonly string[];
  /** A reply spoken when the intent matches (before the tool call, if any). */
  say?: string;
  /**
   * The tool to call, with its arguments (which may use the call context), and
   * what to say with the tool's output once it succeeds (e.g. a balance read out).
   */
  call?: Readonly<{
    tool: string;
    args: (call: CallContext) => Record<string, unknown>;
    reply?: (output: string) => string;
  }>;
}>;

export type Persona = Readonly<{
  name: string;
  description: string;
  /** System instructions for the LLM. */
  instructions: string;
  /** First words the caller hears. Keep it short: it is synthesized once and cached. */
  greeting: (call: CallContext) => string;
  /**
   * First words when the agent placed the call (dispatch's POST /v1/calls),
   * with the context the request carried; a neutral default otherwise.
   */
  outboundGreeting?: (call: CallContext, context: Readonly<Record<string, string>>) => string;
  voice: Readonly<{
    /** ElevenLabs voice id; the product default when absent. */
    elevenLabsVoiceId?: string;
    /** espeak-ng voice for the offline voice. */
    espeakVoice?: string;
  }>;
  /** Words the recognizer should expect (Deepgram key terms, offline grammar). */
  keyterms: readonly string[];
  /** Queue names (from the routing file) this persona may transfer to. */
  transferTargets: readonly string[];
  tools: PersonaTools;
  /** When this persona must hand the caller to a human; defaults in policy/handoff-policy.ts. */
  handoff?: HandoffPolicyInput;
  offline: Readonly<{
    intents: readonly OfflineIntent[];
    /** Said when nothing matches. */
    noMatch: string;
    /** Said when a tool fails (a transfer that did not go through, a lookup that is down). */
    toolFailed: string;
  }>;
}>;

const name = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits and -');
const declaration = z.object({
  name,
  description: z.string().min(1),
  instructions: z.string().min(20, 'instructions must say what the persona does'),
  keyterms: z.array(z.string().min(1)),
  transferTargets: z.array(z.string().min(1)),
  offline: z.object({
    intents: z.array(
      z.object({
        name: z.string().min(1),
        phrases: z.array(z.string().regex(/^[a-z' ]+$/, 'phrases are lower-case words')).min(1),
        examples: z
          .array(z.string().regex(/^[a-z' ]+$/, 'examples are lower-case words'))
          .optional(),
      }),
    ),
    noMatch: z.string().min(1),
    toolFailed: z.string().min(1),
  }),
});

/** A persona whose declaration is inconsistent; raised when the module loads. */
export class PersonaError extends Error {
  constructor(persona: string, message: string) {
    super(`persona "${persona}": ${message}`);
    this.name = 'PersonaError';
  }
}

/**
 * Declares a persona, checking what can be checked without a call.
 *
 * @example
 * export default definePersona({
 *   name: 'front-desk',
 *   description: 'Answers general questions for Example Corp',
 *   instructions: 'You answer calls for Example Corp. Keep replies short.',
 *   greeting: () => 'Thanks for calling Example Corp. How can I help?',
 *   voice: {},
 *   keyterms: ['Example Corp'],
 *   transferTargets: ['general'],
 *   tools: (rt) => ({ transfer_to_queue: transferTool(rt, ['general']) }),
 *   offline: { intents: [], noMatch: 'Sorry, could you say that again?' },
 * });
 */
export function definePersona(persona: Persona): Persona {
  const checked = declaration.safeParse(persona);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new PersonaError(String(persona.name), `${issue?.path.join('.')}: ${issue?.message}`);
  }
  try {
    parseHandoffPolicy(persona.handoff);
  } catch (err) {
    throw new PersonaError(persona.name, `handoff: ${(err as Error).message}`);
  }
  const seen = new Set<string>();
  for (const intent of persona.offline.intents) {
    if (seen.has(intent.name))
      throw new PersonaError(persona.name, `duplicate offline intent "${intent.name}"`);
    seen.add(intent.name);
  }
  return Object.freeze({ ...persona });
}
