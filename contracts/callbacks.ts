/**
 * `POST /v1/callbacks`: what an agent sends dispatch when a caller asks to be
 * called back. Validated by dispatch at its boundary.
 */
import { z } from 'zod';
import { conversationIdSchema } from './conversation-id.ts';

export const newCallbackSchema = z
  .object({
    number: z.string().regex(/^\+?[0-9]{7,15}$/, 'must be 7-15 digits with an optional +'),
    issueType: z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'must be a lower-case issue type'),
    notes: z.string().max(1000).optional(),
    route: z.string().min(1).max(63),
    persona: z.string().min(1).max(63),
    genesysConversationId: conversationIdSchema.optional(),
    sipCallId: z.string().max(200).optional(),
  })
  .strict();

export type NewCallbackRequest = z.output<typeof newCallbackSchema>;
