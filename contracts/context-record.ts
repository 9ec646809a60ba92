/**
 * The context record: what the human agent's screen pop shows when the AI
 * hands a caller back. The agent stores it in dispatch before the REFER and
 * puts its id in the UUI (`ai_ctx`); a Genesys data action fetches it with
 * `GET /v1/context/:id`.
 */
import { z } from 'zod';

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
    fields: z.record(z.string().max(63), z.string().max(500)).default({}),
    /** The last turns of the conversation; dispatch stores each text through `redactText`. */
    transcript: z
      .array(z.object({ role: z.enum(['caller', 'agent']), text: z.string().max(1000) }).strict())
      .max(20)
      .default([]),
    genesysConversationId: z.uuid().optional(),
    sipCallId: z.string().max(200).optional(),
  })
  .strict();

export type NewContextRecord = z.input<typeof newContextRecordSchema>;
export type ContextRecord = z.output<typeof newContextRecordSchema> &
  Readonly<{ id: string; createdAt: string }>;
