/**
 * The agent worker's configuration: read from the environment once, validated,
 * frozen. Nothing else in the agent reads `process.env`.
 */
import { z } from 'zod';
import { deepFreeze } from '../../contracts/freeze.ts';
import { loadRouting, type RoutingConfig } from '../../contracts/routing.ts';

const envSchema = z.object({
  LIVEKIT_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL'),
  LIVEKIT_API_KEY: z.string().min(1),
  LIVEKIT_API_SECRET: z.string().min(8),
  ROUTING_FILE: z.string().min(1).default('livekit-config/routing.yaml'),
  /** Worker health/status HTTP port (agents-js serves `/` and `/worker`). */
  AGENT_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  AGENT_HEALTH_HOST: z.string().default('0.0.0.0'),
  /** espeak-ng voice of the offline agent voice. */
  OFFLINE_TTS_VOICE: z
    .string()
    .regex(/^[a-z0-9+-]+$/i)
    .default('en-us'),
});

export type AgentConfig = Readonly<{
  livekit: Readonly<{ url: string; apiKey: string; apiSecret: string }>;
  routing: RoutingConfig;
  health: Readonly<{ host: string; port: number }>;
  offlineVoice: Readonly<{ ttsVoice: string }>;
}>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the given environment (default `process.env`); throws {@link ConfigError} listing every problem. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `agent configuration is invalid:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`,
    );
  }
  const e = parsed.data;
  return deepFreeze({
    livekit: { url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET },
    routing: loadRouting(e.ROUTING_FILE),
    health: { host: e.AGENT_HEALTH_HOST, port: e.AGENT_HEALTH_PORT },
    offlineVoice: { ttsVoice: e.OFFLINE_TTS_VOICE },
  });
}

let cached: AgentConfig | undefined;
/** The process-wide configuration, loaded on first use. */
export function agentConfig(): AgentConfig {
  cached ??= loadAgentConfig();
  return cached;
}
