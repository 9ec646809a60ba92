/**
 * The context record: what the human agent's screen pop shows when the AI
 * hands a caller back. The agent stores it in dispatch before the REFER and
 * puts its id in the UUI (`ai_ctx`); a Genesys data action fetches it with
 * `GET /v1/context/:id`.
 */
import { z } from 'zod';
import { conversationIdSchema } from './conversation-id.ts';

const CONTEXT_KEY_MAX = 63;
const CONTEXT_VALUE_MAX = 500;

/**
 * The caller's fields as a context record can hold them: a key too long is
 * left out, a value too long is clipped, so odd data from the customer's
 * flow never costs the human agent the whole screen pop.
 *
 * @example
 * contextFields({ note: 'x'.repeat(600), ['k'.repeat(64)]: 'v' }); // { note: 'xxx…' (500) }
 */
export function contextFields(
  fields: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields ?? {}))
    if (key.length <= CONTEXT_KEY_MAX) kept[key] = value.slice(0, CONTEXT_VALUE_MAX);
  return kept;
}

export const newContextRecordSchema = z
  .object({
    reason: z.string().regex(/^[a-z_]{1,40}$/),
    queue: z.string().min(1).max(63),
    route: z.string().min(1).max(63),
    persona: z.string().min(1).max(63),
    /**
     * What the caller wants, in a few words (the persona's intent or the LLM's summary).
     * Dispatch stores it through `redactText` (contracts/redact.ts).
     */
    summary: z.string().max(500).optional(),
    /**
     * Values the agent collected (issue type, callback number...). Dispatch stores them
     * through `redactFields`: sensitive keys (account, pin, phone...) become `[redacted]`.
     */
    fields: z
      .record(z.string().max(CONTEXT_KEY_MAX), z.string().max(CONTEXT_VALUE_MAX))
      .default({}),
    /** The last turns of the conversation; dispatch stores each text through `redactText`. */
    transcript: z
      .array(z.object({ role: z.enum(['caller', 'agent']), text: z.string().max(1000) }).strict())
      .max(20)
      .default([]),
    genesysConversationId: conversationIdSchema.optional(),
    sipCallId: z.string().max(200).optional(),
  })
  .strict();

export type NewContextRecord = z.input<typeof newContextRecordSchema>;
export type ContextRecord = z.output<typeof newContextRecordSchema> &
  Readonly<{ id: string; createdAt: string }>;
