/**
 * The dispatch service's configuration: read from the environment once,
 * validated, frozen. Nothing else in dispatch reads `process.env`.
 */
import { z } from 'zod';
import { deepFreeze } from '../../contracts/freeze.ts';
import { loadRouting, type RoutingConfig } from '../../contracts/routing.ts';
import type { OutboundAuth } from './provision/desired.ts';

const envSchema = z.object({
  LIVEKIT_URL: z.string().regex(/^(https?|wss?):\/\//, 'must be an http(s):// or ws(s):// URL'),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(8),
  ROUTING_FILE: z.string().min(1).default('livekit-config/routing.yaml'),
  DISPATCH_HOST: z.string().default('0.0.0.0'),
  DISPATCH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Bearer token agents and operators use for /v1. */
  DISPATCH_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** sqlite:<path> (embedded default) or sqlite::memory:. */
  DATABASE_URL: z
    .string()
    .regex(/^sqlite:.+$/, 'must be sqlite:<path>')
    .default('sqlite:data/dispatch.db'),
  /** Digest credentials of the routing file's outbound trunk: both or neither. */
  OUTBOUND_TRUNK_USERNAME: z.string().optional(),
  OUTBOUND_TRUNK_PASSWORD: z.string().optional(),
});

export type DispatchConfig = Readonly<{
  livekit: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>;
  routing: RoutingConfig;
  routingFile: string;
  http: Readonly<{ host: string; port: number }>;
  apiToken: string | undefined;
  database: Readonly<{ kind: 'sqlite'; path: string }>;
  /** Digest credentials for the outbound trunk; undefined when neither variable is set. */
  outboundTrunkAuth: OutboundAuth | undefined;
}>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadDispatchConfig(env: NodeJS.ProcessEnv = process.env): DispatchConfig {
  // An empty variable means unset (a blank port must not become port 0).
  const set = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.superRefine(bothOrNeither).safeParse(set);
  if (!parsed.success) {
    // Messages name variables, never their values (some are credentials).
    throw new ConfigError(
      `dispatch configuration is invalid:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
    );
  }
  const e = parsed.data;
  return deepFreeze({
    livekit: {
      apiUrl: e.LIVEKIT_URL.replace(/^ws/, 'http'),
      apiKey: e.LIVEKIT_API_KEY,
      apiSecret: e.LIVEKIT_API_SECRET,
    },
    routing: loadRouting(e.ROUTING_FILE),
    routingFile: e.ROUTING_FILE,
    http: { host: e.DISPATCH_HOST, port: e.DISPATCH_PORT },
    apiToken: e.DISPATCH_API_TOKEN,
    database: { kind: 'sqlite', path: e.DATABASE_URL.slice('sqlite:'.length) },
    outboundTrunkAuth:
      e.OUTBOUND_TRUNK_USERNAME && e.OUTBOUND_TRUNK_PASSWORD
        ? { username: e.OUTBOUND_TRUNK_USERNAME, password: e.OUTBOUND_TRUNK_PASSWORD }
        : undefined,
  });
}

/** A user name without a password (or the reverse) is a mistake, not "no credentials". */
function bothOrNeither(e: z.output<typeof envSchema>, ctx: z.RefinementCtx): void {
  const pair = ['OUTBOUND_TRUNK_USERNAME', 'OUTBOUND_TRUNK_PASSWORD'] as const;
  for (const [name, other] of [pair, [pair[1], pair[0]]] as const) {
    if (e[name] === undefined && e[other] !== undefined)
      ctx.addIssue({ code: 'custom', path: [name], message: `required when ${other} is set` });
  }
}
