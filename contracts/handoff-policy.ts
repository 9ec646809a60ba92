/**
 * When a caller must reach a human, whatever the LLM does: declared per
 * persona (with these defaults), overridden per route in the routing file,
 * validated once, enforced by the agent's handoff monitor.
 */
import { z } from 'zod';

const words = z.array(z.string().regex(/^[a-z' ]+$/, 'lower-case words')).min(1);

export const handoffPolicySchema = z
  .object({
    /** Said by callers who want a person; matched as whole words in any final transcript. */
    humanRequest: words.default([
      'agent',
      'representative',
      'real person',
      'a person',
      'a human',
      'talk to someone',
      'speak to someone',
      'operator',
    ]),
    frustration: z
      .object({
        /** Words that show a caller is unhappy with the agent. */
        negativeWords: words.default([
          "that's not what i said",
          'not what i said',
          'you are not listening',
          'useless',
          'stupid',
          'this is ridiculous',
          'wrong',
        ]),
        /** Caller turns with a negative word before handing off. */
        maxNegativeTurns: z.number().int().min(1).default(2),
        /** Consecutive turns saying (nearly) the same thing before handing off. */
        maxRepeats: z.number().int().min(2).default(3),
        /** Consecutive low-confidence transcripts before handing off. */
        maxLowConfidence: z.number().int().min(1).default(3),
        lowConfidenceBelow: z.number().min(0).max(1).default(0.4),
      })
      .strict()
      // Parsed through the schema, so the field defaults above apply.
      .prefault({}),
    /** The longest a caller stays with the agent; warned `warnBeforeSeconds` earlier. */
    maxSessionSeconds: z.number().int().min(30).default(600),
    warnBeforeSeconds: z.number().int().min(5).default(60),
    maxTurns: z.number().int().min(1).default(30),
    silence: z
      .object({
        /** Seconds of caller silence (while the agent is not speaking) that count as one silent period. */
        afterSeconds: z.number().min(3).max(120).default(10),
        /** Prompts said, one per silent period, before `then`. */
        prompts: z
          .array(z.string().min(1))
          .min(1)
          .default(['Are you still there?', 'I can not hear you. Are you still there?']),
        then: z.enum(['transfer', 'end']).default('transfer'),
        /** Said before ending the call when `then` is `end`. */
        goodbye: z
          .string()
          .min(1)
          .default('I will end the call now. Please call us again any time. Goodbye.'),
      })
      .strict()
      // Parsed through the schema, so the field defaults above apply.
      .prefault({}),
    providerFailure: z
      .object({
        /**
         * When a cloud voice provider (Deepgram, OpenAI, ElevenLabs) fails past
         * its retries: `transfer` hands the caller to the route's queue at
         * once; `offline_voice` carries on with its offline stand-in. A failure
         * with no stand-in left always transfers.
         */
        then: z.enum(['transfer', 'offline_voice']).default('transfer'),
        /** Said before that transfer; synthesized offline at call start, so it plays whatever failed. */
        apology: z
          .string()
          .min(1)
          .default(
            'I am sorry, I am having technical trouble. Let me connect you with a colleague.',
          ),
      })
      .strict()
      // Parsed through the schema, so the field defaults above apply.
      .prefault({}),
    timeLimitWarning: z
      .string()
      .min(1)
      .default(
        'We are almost out of time on this call. I will connect you with a colleague shortly.',
      ),
  })
  .strict()
  .refine((p) => p.warnBeforeSeconds < p.maxSessionSeconds, {
    message: 'warnBeforeSeconds must be less than maxSessionSeconds',
    path: ['warnBeforeSeconds'],
  });

export type HandoffPolicyInput = z.input<typeof handoffPolicySchema>;
export type HandoffPolicy = Readonly<z.output<typeof handoffPolicySchema>>;

/**
 * @example
 * parseHandoffPolicy({ maxSessionSeconds: 300 }).maxTurns; // 30
 */
export function parseHandoffPolicy(input: HandoffPolicyInput = {}): HandoffPolicy {
  return Object.freeze(handoffPolicySchema.parse(input));
}

/** Overrides given for both nested sections are merged field by field; the later input wins. */
function mergeInputs(base: HandoffPolicyInput, over: HandoffPolicyInput): HandoffPolicyInput {
  return {
    ...base,
    ...over,
    frustration: { ...base.frustration, ...over.frustration },
    silence: { ...base.silence, ...over.silence },
    providerFailure: { ...base.providerFailure, ...over.providerFailure },
  };
}

/**
 * The policy of a call: the persona's declaration, then the route's override
 * from the routing file (what an operator changes without touching code).
 *
 * @example
 * resolveHandoffPolicy({ maxTurns: 20 }, { silence: { afterSeconds: 5 } }).silence.afterSeconds; // 5
 */
export function resolveHandoffPolicy(
  persona: HandoffPolicyInput | undefined,
  route: HandoffPolicyInput | undefined,
): HandoffPolicy {
  return parseHandoffPolicy(mergeInputs(persona ?? {}, route ?? {}));
}

/** The first problem of a policy input, as `path: message`, or undefined when it is valid. */
export function handoffPolicyProblem(input: unknown): string | undefined {
  const checked = handoffPolicySchema.safeParse(input ?? {});
  if (checked.success) return undefined;
  const issue = checked.error.issues[0];
  return `${issue?.path.join('.') || '(policy)'}: ${issue?.message}`;
}
