/**
 * How both services read their environment: once, at start-up, through a
 * zod schema; an empty variable counts as unset (a blank port must not
 * become port 0); every problem is reported at once, naming variables,
 * never their values (some are credentials). The variables both services
 * share are declared here once.
 */
import { z } from 'zod';
import { formatIssues } from './issues.ts';

/** The environment is unusable; the message lists every problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Variables both the agent and dispatch read, with the same rules. */
export const sharedEnv = Object.freeze({
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(8),
  ROUTING_FILE: z.string().min(1).default('livekit-config/routing.yaml'),
  /** Bearer token of dispatch's /v1 API (dispatch checks it, the agent presents it). */
  DISPATCH_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

/**
 * The `service`'s configuration error listing `problems`.
 *
 * @example
 * throw configError('dispatch', ['DATABASE_URL: unknown form']);
 */
export function configError(service: string, problems: readonly string[]): ConfigError {
  return new ConfigError(`${service} configuration is invalid:\n  ${problems.join('\n  ')}`);
}

/**
 * Parses the variables `schema` declares; throws {@link ConfigError}.
 *
 * @example
 * const e = readEnv('agent', z.object({ ...sharedEnv, LIVEKIT_URL: z.string() }), process.env);
 */
export function readEnv<S extends z.ZodType>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv,
): z.output<S> {
  const parsed = schema.safeParse(setVariables(env));
  if (!parsed.success) throw configError(service, formatIssues(parsed.error));
  return parsed.data;
}

/** The variables that are set (not undefined, not empty). */
export function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}
