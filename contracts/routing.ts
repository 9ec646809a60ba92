/**
 * The routing file: how Genesys lines map onto LiveKit trunks, dispatch rules,
 * personas and transfer targets. Dispatch provisions from it; the agent reads
 * the queues (transfer targets) and routes from it. Parsed once, frozen.
 */
import { formatIssues } from './issues.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { UuiOptions } from './genesys-uui.ts';
import {
  callRecordsSchema,
  callRecordWebhookSchema,
  inboundTrunkSchema,
  name,
  outboundTrunkSchema,
  phoneNumber,
  queueSchema,
  routeSchema,
} from './routing-parts.ts';

export {
  callRecordsSchema,
  callRecordWebhookSchema,
  consultSchema,
  inboundTrunkSchema,
  mediaEncryptionSchema,
  outboundTrunkSchema,
  queueSchema,
  routeMatchSchema,
  routeSchema,
  type MediaEncryption,
} from './routing-parts.ts';
import { deepFreeze } from './freeze.ts';

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
    throw new RoutingConfigError(file, formatIssues(result.error));
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
