/**
 * `POST /v1/calls`: what an operator (or a Genesys data action) sends dispatch
 * to have an AI agent call someone through the Genesys outbound trunk, and
 * what dispatch answers. Validated by dispatch at its boundary.
 */
import { z } from 'zod';

/** Route and persona names, as the routing file writes them. */
const name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _');

/** Most keys a call's context may carry, and longest value. */
export const CONTEXT_MAX_KEYS = 20;
export const CONTEXT_MAX_VALUE = 200;

export const newOutboundCallSchema = z
  .object({
    /** Number to call, E.164. */
    to: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number like +18005550100'),
    /** Route of the routing file whose persona and human queue the call gets. */
    route: name,
    /** Another persona than the route's; must be one that some route names. */
    persona: name.optional(),
    /** Caller id to present; one of the routing file's `outboundTrunk.numbers` (default: the first). */
    fromNumber: z.string().min(1).max(32).optional(),
    /** Values handed to the agent in the job metadata (`values`), over the route's `metadata`. */
    context: z
      .record(
        z.string().regex(/^[a-z0-9_]{1,40}$/, 'keys must be 1-40 of a-z, 0-9 or _'),
        z.string().max(CONTEXT_MAX_VALUE),
      )
      .refine(
        (m) => Object.keys(m).length <= CONTEXT_MAX_KEYS,
        `must have at most ${CONTEXT_MAX_KEYS} keys`,
      )
      .meta({ maxProperties: CONTEXT_MAX_KEYS })
      .optional(),
    /** How long the phone may ring before the call counts as not answered. */
    ringSeconds: z.number().int().min(5).max(75).default(30),
  })
  .strict();

export type NewOutboundCall = z.input<typeof newOutboundCallSchema>;

/** 201: the callee answered and the agent is in the room. */
export const outboundCallAnsweredSchema = z
  .object({
    /** The LiveKit room of the call (also its id). */
    id: z.string(),
    room: z.string(),
    /** livekit-sip's call id (`SCL_...`), as in the agent's logs and call records. */
    sipCallId: z.string(),
    status: z.literal('answered'),
  })
  .strict();

export type OutboundCallAnswered = z.output<typeof outboundCallAnsweredSchema>;

/** 409 (busy, decline) or 502 (any other SIP failure): the far end refused the call. */
export const outboundCallFailedSchema = z
  .object({
    error: z.literal('call_failed'),
    sipStatus: z.number().int().min(300).max(699),
    reason: z.string(),
  })
  .strict();
