/**
 * The dispatch service's configuration: read from the environment once,
 * validated, frozen. Nothing else in dispatch reads `process.env`.
 */
import { configError, readEnv, sharedEnv } from '../../contracts/env.ts';
import { z } from 'zod';
import { deepFreeze } from '../../contracts/freeze.ts';
import { loadRouting, type RoutingConfig } from '../../contracts/routing.ts';
import type { WebhookTarget } from './outbox/post.ts';
import type { InboundAuth, OutboundAuth } from './provision/desired.ts';
import { DATABASE_URL_PATTERN, databaseTarget, type DatabaseTarget } from './store/open.ts';

const envSchema = z.object({
  LIVEKIT_URL: z.string().regex(/^(https?|wss?):\/\//, 'must be an http(s):// or ws(s):// URL'),
  ...sharedEnv,
  DISPATCH_HOST: z.string().default('0.0.0.0'),
  DISPATCH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** sqlite:<path> (embedded default), sqlite::memory:, or postgres(ql)://user:password@host/db. */
  DATABASE_URL: z
    .string()
    .regex(DATABASE_URL_PATTERN, 'must be sqlite:<path> or postgres://... (postgresql://...)')
    .default('sqlite:data/dispatch.db'),
  /**
   * How often (seconds) LiveKit's SIP trunks and dispatch rules are checked
   * against the routing file and repaired (0: only at start). LiveKit keeps
   * them in Redis: a Redis that restarts without its data loses them, and
   * every call is then dropped unanswered until they are back.
   */
  DISPATCH_RECONCILE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Digest credentials Genesys must present to the inbound trunk: both or neither. */
  INBOUND_TRUNK_USERNAME: z.string().optional(),
  INBOUND_TRUNK_PASSWORD: z.string().optional(),
  /** Digest credentials of the routing file's outbound trunk: both or neither. */
  OUTBOUND_TRUNK_USERNAME: z.string().optional(),
  OUTBOUND_TRUNK_PASSWORD: z.string().optional(),
});

/** Variables that only make sense together: user name and password of each trunk. */
const CREDENTIAL_PAIRS = [
  ['INBOUND_TRUNK_USERNAME', 'INBOUND_TRUNK_PASSWORD'],
  ['OUTBOUND_TRUNK_USERNAME', 'OUTBOUND_TRUNK_PASSWORD'],
] as const;

export type DispatchConfig = Readonly<{
  livekit: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>;
  routing: RoutingConfig;
  routingFile: string;
  /** Ms between checks of LiveKit's SIP configuration after the first; 0: never. */
  reconcileEveryMs: number;
  http: Readonly<{ host: string; port: number }>;
  apiToken: string | undefined;
  database: DatabaseTarget;
  /** The routing file's call-record webhooks, each with its secret from the environment. */
  callRecordWebhooks: readonly WebhookTarget[];
  /** Digest credentials for the inbound trunk; undefined when neither variable is set. */
  inboundTrunkAuth: InboundAuth | undefined;
  /** Digest credentials for the outbound trunk; undefined when neither variable is set. */
  outboundTrunkAuth: OutboundAuth | undefined;
}>;

export { ConfigError } from '../../contracts/env.ts';

export function loadDispatchConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
  const e = readEnv('dispatch', envSchema.superRefine(bothOrNeither), env);
  const routing = loadRouting(e.ROUTING_FILE);
  const database = databaseTarget(e.DATABASE_URL);
  // The schema checked the pattern already; this only narrows the type.
  if (!database) throw configError('dispatch', ['DATABASE_URL: unknown form']);
  return deepFreeze({
    livekit: {
      apiUrl: e.LIVEKIT_URL.replace(/^ws/, 'http'),
      apiKey: e.LIVEKIT_API_KEY,
      apiSecret: e.LIVEKIT_API_SECRET,
    },
    routing,
    routingFile: e.ROUTING_FILE,
    reconcileEveryMs: e.DISPATCH_RECONCILE_SECONDS * 1000,
    http: { host: e.DISPATCH_HOST, port: e.DISPATCH_PORT },
    apiToken: e.DISPATCH_API_TOKEN,
    database,
    callRecordWebhooks: webhookTargets(routing, e.ROUTING_FILE, env),
    inboundTrunkAuth: credentials(e.INBOUND_TRUNK_USERNAME, e.INBOUND_TRUNK_PASSWORD),
    outboundTrunkAuth: credentials(e.OUTBOUND_TRUNK_USERNAME, e.OUTBOUND_TRUNK_PASSWORD),
  });
}

function credentials(
  username: string | undefined,
  password: string | undefined,
): { username: string; password: string } | undefined {
  return username && password ? { username, password } : undefined;
}

/** A user name without a password (or the reverse) is a mistake, not "no credentials". */
function bothOrNeither(e: z.output<typeof envSchema>, ctx: z.RefinementCtx): void {
  for (const pair of CREDENTIAL_PAIRS) {
    for (const [name, other] of [pair, [pair[1], pair[0]]] as const) {
      if (e[name] === undefined && e[other] !== undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: `required when ${other} is set` });
    }
  }
}

/** Shortest webhook secret accepted (HMAC-SHA256 keys should be long and random). */
const MIN_WEBHOOK_SECRET_LENGTH = 16;

/**
 * The routing file's call-record webhooks with their secrets, read once from
 * the variables their `secretEnv` names. A missing or short secret is a
 * configuration error naming the variable and the webhook, never a value.
 */
function webhookTargets(
  routing: RoutingConfig,
  routingFile: string,
  env: NodeJS.ProcessEnv,
): WebhookTarget[] {
  const problems: string[] = [];
  const targets = (routing.callRecords?.webhooks ?? []).map(({ name, url, secretEnv }) => {
    const secret = env[secretEnv] ?? '';
    const where = `(secretEnv of call-record webhook "${name}" in ${routingFile})`;
    if (secret === '') problems.push(`${secretEnv}: required ${where}`);
    else if (secret.length < MIN_WEBHOOK_SECRET_LENGTH)
      problems.push(
        `${secretEnv}: must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters ${where}`,
      );
    return { name, url, secret };
  });
  if (problems.length > 0) throw configError('dispatch', problems);
  return targets;
}
