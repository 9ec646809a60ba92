/**
 * The routing file: how Genesys lines map onto LiveKit trunks, dispatch rules,
 * personas and transfer targets. Dispatch provisions from it; the agent reads
 * the queues (transfer targets) and routes from it. Parsed once, frozen.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { UuiOptions } from './genesys-uui.ts';
import { handoffPolicyProblem, type HandoffPolicyInput } from './handoff-policy.ts';
import { deepFreeze } from './freeze.ts';

/** E.164-ish number as Genesys sends it in To/From (digits with an optional leading +). */
const phoneNumber = z
  .string()
  .regex(/^\+?[0-9]{3,20}$/, 'must be a phone number like +18005550100');

/**
 * IPv4 address, CIDR (/8 or narrower) or host name that may send SIP to the
 * inbound trunk. Wide ranges are refused: Genesys signalling comes from a
 * published list of addresses, and "allow all" invites toll fraud.
 */
const signallingAddress = z.string().refine((value) => {
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
const transferUri = z
  .string()
  .regex(
    /^(sips?:[^\s<>"]+|tel:\+?[0-9*#-]+)$/,
    'must be a sip:, sips: or tel: URI without spaces',
  );

const name = z
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
const sipAddress = z
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
  })
  .strict();

/** A handoff policy override, kept as written so it merges over the persona's own. */
const handoffOverride = z
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
const envName = z
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

export const routingSchema = z
  .object({
    version: z.literal(1),
    /** Name the agent workers register with (explicit dispatch). */
    agentName: name.default('genesys-voice-agent'),
    /** Which Genesys Cloud organization the lines belong to: documentation, not provisioned. */
    genesys: z
      .object({
        /** Genesys Cloud region domain, e.g. mypurecloud.com. */
        region: z.string().min(1),
        /** The organization's id (Admin, Account Settings, Organization Settings). */
        organizationId: z
          .guid({ error: 'must be a UUID like 6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5a' })
          .optional(),
      })
      .strict(),
    inboundTrunk: inboundTrunkSchema,
    transfer: z
      .object({
        /** How UUI travels inside the Refer-To URI; Genesys reads both. */
        uuiEncoding: z.enum(['hex', 'ascii']).default('hex'),
        /**
         * Protocol discriminator octet (hex) Genesys expects in front of hex UUI
         * and strips; "none" when the trunk sends and expects none. See contracts/genesys-uui.ts.
         */
        uuiProtocolDiscriminator: z
          .string()
          .regex(/^([0-9a-f]{2}|none)$/i, 'must be a hex octet like "04", or "none"')
          .default('04'),
        /** Largest UUI payload, in bytes before encoding. */
        uuiMaxBytes: z.number().int().min(16).max(1024).default(128),
        /** How long to wait for Genesys' NOTIFY after the REFER is accepted. */
        timeoutSeconds: z.number().int().min(5).max(120).default(30),
      })
      .strict()
      // Read once: the discriminator octet as every UUI encoder and decoder takes it.
      .transform((t) => ({ ...t, uuiOptions: uuiOptionsOf(t.uuiProtocolDiscriminator) }))
      .prefault({}),
    outboundTrunk: outboundTrunkSchema.optional(),
    callRecords: callRecordsSchema.optional(),
    queues: z.record(name, queueSchema),
    routes: z.array(routeSchema).min(1),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [queue, q] of Object.entries(cfg.queues)) {
      if (q.consult && !cfg.outboundTrunk) {
        ctx.addIssue({
          code: 'custom',
          path: ['queues', queue, 'consult'],
          message: 'a warm transfer dials out: define outboundTrunk',
        });
      }
    }
    const seenWebhooks = new Set<string>();
    cfg.callRecords?.webhooks.forEach((webhook, i) => {
      if (seenWebhooks.has(webhook.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['callRecords', 'webhooks', i, 'name'],
          message: `duplicate webhook name "${webhook.name}"`,
        });
      }
      seenWebhooks.add(webhook.name);
    });
    const trunkNumbers = acceptedNumbers(cfg.inboundTrunk.numbers, ctx);
    const seenRoutes = new Set<string>();
    const seenNumbers = new Map<string, string>();
    cfg.routes.forEach((route, i) => {
      if (seenRoutes.has(route.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'name'],
          message: `duplicate route name "${route.name}"`,
        });
      }
      seenRoutes.add(route.name);
      if (route.numbers.length === 0 && !route.match) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i],
          message: 'a route needs numbers, a match, or both',
        });
      }
      if (!Object.hasOwn(cfg.queues, route.humanQueue)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'humanQueue'],
          message: `queue "${route.humanQueue}" is not defined under queues`,
        });
      }
      route.numbers.forEach((n, j) => {
        const other = seenNumbers.get(n);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'numbers', j],
            message: `number ${n} is already routed by "${other}"`,
          });
        }
        seenNumbers.set(n, route.name);
        if (trunkNumbers && !trunkNumbers.has(n)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'numbers', j],
            message: `number ${n} is not in inboundTrunk.numbers: the trunk would refuse its calls`,
          });
        }
      });
    });
  });

/**
 * The inbound trunk's own number list, duplicates reported; undefined when the
 * file has none or it is already invalid (its problems are reported, and
 * checking routes against it would only add noise).
 */
function acceptedNumbers(
  numbers: readonly string[] | undefined,
  ctx: z.RefinementCtx,
): ReadonlySet<string> | undefined {
  if (!numbers?.length || !numbers.every((n) => phoneNumber.safeParse(n).success)) return undefined;
  const seen = new Set<string>();
  numbers.forEach((n, j) => {
    if (seen.has(n)) {
      ctx.addIssue({
        code: 'custom',
        path: ['inboundTrunk', 'numbers', j],
        message: `number ${n} is listed twice`,
      });
    }
    seen.add(n);
  });
  return seen;
}

export type RoutingConfig = Readonly<z.output<typeof routingSchema>>;
export type Route = RoutingConfig['routes'][number];
export type Queue = z.output<typeof queueSchema>;
export type InboundTrunk = RoutingConfig['inboundTrunk'];
export type OutboundTrunk = NonNullable<RoutingConfig['outboundTrunk']>;
export type CallRecordWebhook = z.output<typeof callRecordWebhookSchema>;

/** A routing file that failed to load, with every problem located by path. */
export class RoutingConfigError extends Error {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(`invalid routing file ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'RoutingConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Parses routing YAML text. Throws {@link RoutingConfigError} naming the file,
 * the path inside it and the problem.
 *
 * @example
 * const routing = parseRouting(text, 'routing.yaml');
 * routing.queues['billing']?.target; // 'sip:+18005550199@genesys.example'
 */
export function parseRouting(text: string, file: string): RoutingConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new RoutingConfigError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  const result = routingSchema.safeParse(raw);
  if (!result.success) {
    throw new RoutingConfigError(
      file,
      result.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
      ),
    );
  }
  return deepFreeze(result.data);
}

/** Reads and parses a routing file; see {@link parseRouting}. */
export function loadRouting(file: string): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RoutingConfigError(file, [
      `cannot read file: ${(err as NodeJS.ErrnoException).code ?? err}`,
    ]);
  }
  return parseRouting(text, file);
}

/**
 * The first route whose `match` the call meets: an X- header value (names
 * compared lower-case) or a UUI field value.
 *
 * @example
 * matchedRoute(routing, { 'x-ai-route': 'billing' }, { account: '42' })?.name; // 'billing-line'
 */
export function matchedRoute(
  routing: RoutingConfig,
  xHeaders: Readonly<Record<string, string>>,
  uuiFields: Readonly<Record<string, string>> | undefined,
): Route | undefined {
  return routing.routes.find(({ match }) => {
    if (!match) return false;
    const value = match.header
      ? xHeaders[match.header.toLowerCase()]
      : uuiFields?.[match.uuiField ?? ''];
    return value === match.equals;
  });
}

/** The route that answers a called number, if any. */
export function routeForNumber(routing: RoutingConfig, dnis: string): Route | undefined {
  return routing.routes.find((r) => r.numbers.includes(dnis));
}

/** The file's protocol discriminator ("04", "none") as UUI options: the octet as a number, or none. */
function uuiOptionsOf(pd: string): UuiOptions {
  return Object.freeze(
    pd.toLowerCase() === 'none' ? {} : { protocolDiscriminator: Number.parseInt(pd, 16) },
  );
}
