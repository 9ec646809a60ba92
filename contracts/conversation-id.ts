/**
 * The Genesys conversation id (`x-inin-cnv`) as the product keeps it. It is
 * the customer's data, set by their trunk and flow, so it is never a reason
 * to lose a call's record: a UUID is kept lower-cased; anything else is kept
 * as it came (characters outside printable ASCII percent-encoded, clipped),
 * flagged `not_uuid`, and stays findable by that value.
 */
import { z } from 'zod';

/** Longest conversation id kept. */
export const CONVERSATION_ID_MAX = 200;

/** A conversation id as records, context records and callbacks store it. */
export const conversationIdSchema = z
  .string()
  .min(1)
  .max(CONVERSATION_ID_MAX)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** Why a conversation id was kept in a form other than a UUID. */
export const conversationIdProblemSchema = z.enum(['not_uuid']);
export type ConversationIdProblem = z.infer<typeof conversationIdProblemSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads a conversation id header; `id` is undefined when absent or blank.
 *
 * @example
 * readConversationId(' 6F1C0F3A-1B2C-4D5E-8F90-A1B2C3D4E5F6 '); // { id: '6f1c0f3a-…', problem: undefined }
 * readConversationId('cnv 42');                              // { id: 'cnv%2042', problem: 'not_uuid' }
 */
export function readConversationId(
  raw: string | undefined,
): Readonly<{ id: string | undefined; problem: ConversationIdProblem | undefined }> {
  const trimmed = raw?.trim() ?? '';
  if (trimmed === '') return { id: undefined, problem: undefined };
  if (UUID.test(trimmed)) return { id: trimmed.toLowerCase(), problem: undefined };
  const escaped = trimmed.replace(/[^\x21-\x7e]|%/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  // Clipped, never through the middle of an escape.
  const clipped = escaped.slice(0, CONVERSATION_ID_MAX).replace(/%[0-9A-F]?$/, '');
  return { id: clipped, problem: 'not_uuid' };
}
