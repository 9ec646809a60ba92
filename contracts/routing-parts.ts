/**
 * The pieces of the routing file (contracts/routing.ts): numbers, signalling
 * addresses and transfer URIs, trunks, queues, routes and call-record
 * webhooks, each a zod schema with the file's rules.
 */
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { handoffPolicyProblem, type HandoffPolicyInput } from './handoff-policy.ts';

/** E.164-ish number as Genesys sends it in To/From (digits with an optional leading +). */
export const phoneNumber = z
  .string()
  .regex(/^\+?[0-9]{3,20}$/, 'must be a phone number like +18005550100');

/**
 * IPv4 address, CIDR (/8 or narrower) or host name that may send SIP to the
 * inbound trunk. Wide ranges are refused: Genesys signalling comes from a
 * published list of addresses, and "allow all" invites toll fraud.
 */
export const signallingAddress = z.string().refine((value) => {
  const [ip = '', prefix, ...rest] = value.split('/');
  if (rest.length > 0) return false;
  if (isIPv4(ip))
    return (
      prefix === undefined ||
      (/^\d{1,2}$/.test(prefix) && Number(prefix) >= 8 && Number(prefix) <= 32)
    );
  return prefix === undefined && /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(value);
}, 'must be an IPv4 address, a CIDR of /8 or narrower, or a host name');

/** A transfer target Genesys routes: a DID, an inbound-flow route, a queue line. */
export const transferUri = z
  .string()
  .regex(
    /^(sips?:[^\s<>"]+|tel:\+?[0-9*#-]+)$/,
    'must be a sip:, sips: or tel: URI without spaces',
  );

export const name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _');

/**
 * A warm (consultative) transfer to this queue: the agent dials a human
 * through the outbound trunk, speaks a summary while the caller is on hold,
 * then connects them. Without it, transfers to the queue are blind (REFER).
 */
export const consultSchema = z
  .object({
    /** Number dialled through the outbound trunk (a Genesys DID that reaches the queue). */
    number: phoneNumber,
    /** How long the human's phone may ring before the agent returns to the caller. */
    ringSeconds: z.number().int().min(5).max(75).default(30),
  })
  .strict();

export const queueSchema = z
  .object({
    /** Where the REFER sends the caller: a Genesys inbound-flow DID or route. */
    target: transferUri,
    /** Tried in order when the target refuses or fails the transfer. */
    alternates: z.array(transferUri).default([]),
    consult: consultSchema.optional(),
    description: z.string().optional(),
  })
  .strict();

/** host[:port] of a SIP peer, e.g. Genesys' BYOC termination address. */
export const sipAddress = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i,
    'must be a host or IPv4 address with an optional :port',
  );

/**
 * SRTP on a trunk's calls (LiveKit's SIPMediaEncryption): `disable` offers and
 * accepts plain RTP only, `allow` uses SRTP when the far end does (and, on
 * calls LiveKit places, offers it), `require` refuses calls without it.
 */
export const mediaEncryptionSchema = z.enum(['disable', 'allow', 'require']);
export type MediaEncryption = z.output<typeof mediaEncryptionSchema>;

/**
 * The trunk the agent dials out through (warm transfers, outbound calls): the
 * Genesys BYOC termination address. Digest credentials come from the
 * environment (OUTBOUND_TRUNK_USERNAME, OUTBOUND_TRUNK_PASSWORD), never the file.
 */
export const outboundTrunkSchema = z
  .object({
    name: z.string().min(1),
    address: sipAddress,
    transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    /** Caller ids the trunk presents (From); the first is the default. */
    numbers: z.array(phoneNumber).min(1),
    /**
     * SRTP on the calls the agent places. Default `disable`: LiveKit offers
     * SRTP (RTP/SAVP) whenever this is not `disable`, and a Genesys trunk
     * without SRTP refuses such an offer. Genesys BYOC does SRTP over TLS
     * only: with `transport: tls`, set `allow` or `require` to match the
     * trunk's media settings. `require` needs `transport: tls` (the SRTP keys
     * travel in the SDP, readable on unencrypted signalling).
     */
    mediaEncryption: mediaEncryptionSchema.default('disable'),
  })
  .strict()
  .superRefine((trunk, ctx) => {
    if (trunk.mediaEncryption === 'require' && trunk.transport !== 'tls') {
      ctx.addIssue({
        code: 'custom',
        path: ['mediaEncryption'],
        message: `"require" needs transport: tls: SRTP keys would travel in clear text over ${trunk.transport} signalling`,
      });
    }
  });

/**
 * The LiveKit inbound trunk Genesys BYOC calls arrive on. Digest credentials
 * come from the environment (INBOUND_TRUNK_USERNAME, INBOUND_TRUNK_PASSWORD),
 * never the file: Genesys then answers LiveKit's challenge with them.
 */
export const inboundTrunkSchema = z
  .object({
    name: z.string().min(1),
    /** Genesys signalling addresses; never empty ("allow all" is refused). */
    allowedAddresses: z.array(signallingAddress).min(1),
    /**
     * Called numbers the trunk accepts. Default: every number of every route.
     * Must include all route numbers; a number listed here without a route
     * reaches the trunk but no dispatch rule of ours, so LiveKit rejects it
     * (unless a hand-made rule matches it).
     */
    numbers: z.array(phoneNumber).min(1).optional(),
    /**
     * SRTP on calls from Genesys. Default `allow`: SRTP when the trunk offers
     * it (Genesys BYOC over TLS with SRTP cipher suites), plain RTP otherwise.
     */
    mediaEncryption: mediaEncryptionSchema.default('allow'),
    /**
     * Longest a caller rings waiting for an agent. livekit-sip answers an
     * INVITE once an agent has joined the call's room; when none has by
     * then (every worker full, none running), it refuses the call with
     * 486 Busy Here, which the Architect flow's failure path routes (to a
     * queue, voicemail or a callback). Default 3 s: with warm job processes
     * a caller is answered in about a second.
     */
    ringTimeoutSeconds: z.number().int().min(1).max(180).default(3),
    /**
     * What becomes of a caller no agent took within the ring timeout:
     * `refuse` (486 Busy Here at the timeout, for the Architect flow to
     * route) or `queue`: dispatch answers the call 2 s before the
     * timeout and REFERs it to the route's human queue with reason
     * `no_agent` (dispatch/src/admission/hand-on.ts); livekit-sip is then
     * set to refuse only 2 s after the timeout, so that a hand-on under way
     * on a busy node answers instead (contracts/hand-on.ts).
     */
    whenNoAgent: z.enum(['refuse', 'queue']).default('refuse'),
  })
  .strict()
  .refine((t) => t.whenNoAgent === 'refuse' || t.ringTimeoutSeconds >= 3, {
    message:
      'whenNoAgent: queue needs ringTimeoutSeconds of 3 or more (dispatch answers 2 s before it)',
    path: ['ringTimeoutSeconds'],
  });

/** A handoff policy override, kept as written so it merges over the persona's own. */
export const handoffOverride = z
  .custom<HandoffPolicyInput>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'must be a mapping of handoff policy settings',
  )
  .superRefine((v, ctx) => {
    const problem = handoffPolicyProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * A route chosen by what the Genesys flow put on the call rather than by the
 * number it dialled: an X- header's value, or a field of the UUI.
 */
export const routeMatchSchema = z
  .object({
    /** An X- header name, e.g. `X-AI-Route` (compared case-insensitively). */
    header: z
      .string()
      .regex(/^x-[a-z0-9-]+$/i, 'must be an X- header name like X-AI-Route')
      .optional(),
    /** A UUI field name, e.g. `ai_route` (from `Set UUI Data` in Architect). */
    uuiField: z
      .string()
      .regex(/^[a-z0-9_]+$/i, 'must be a UUI field name like ai_route')
      .optional(),
    /** The value that selects this route (exact, case-sensitive). */
    equals: z.string().min(1).max(200),
  })
  .strict()
  .refine((m) => (m.header === undefined) !== (m.uuiField === undefined), {
    message: 'name exactly one of header or uuiField',
  });

export const routeSchema = z
  .object({
    name,
    /** Called numbers (DNIS) this route answers; a dispatch rule each. */
    numbers: z.array(phoneNumber).default([]),
    /**
     * Takes calls that arrive on any route's number when the header or UUI
     * field matches; checked before the number's route, in file order.
     */
    match: routeMatchSchema.optional(),
    /** Persona that answers calls on this route (a name from the persona registry). */
    persona: name,
    /** Queue the caller reaches by pressing 0 or asking for a person. */
    humanQueue: name,
    /** Route-specific values handed to the agent in the dispatch metadata. */
    metadata: z.record(z.string(), z.string()).default({}),
    /**
     * Overrides of the persona's handoff policy for this route (silence,
     * time and turn limits, words...): see contracts/handoff-policy.ts.
     */
    handoff: handoffOverride.optional(),
  })
  .strict();

/** The name of an environment variable: where a secret comes from, never the secret. */
export const envName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name like CRM_WEBHOOK_SECRET');

/**
 * Where dispatch POSTs each call record, signed with HMAC-SHA256 (see
 * docs/deploy-kubernetes.md, "Call records and webhooks"). The secret is read
 * from the environment variable `secretEnv` names; dispatch refuses to start
 * without it.
 */
export const callRecordWebhookSchema = z
  .object({
    name,
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .refine(
        (u) => !/^https?:\/\/[^/?#]*@/i.test(u),
        'must not carry credentials: the secretEnv signature authenticates dispatch',
      ),
    secretEnv: envName,
  })
  .strict();

/** What dispatch does with the call records agents store. */
export const callRecordsSchema = z
  .object({
    /** Each stored record is delivered to every webhook, at least once, in no set order. */
    webhooks: z.array(callRecordWebhookSchema).max(10).default([]),
  })
  .strict();
