/**
 * The agent worker's configuration: read from the environment once, validated,
 * frozen. Nothing else in the agent reads `process.env`.
 */
import { configError, readEnv, setVariables, sharedEnv } from '../../contracts/env.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { deepFreeze } from '../../contracts/freeze.ts';
import { loadRouting, type RoutingConfig } from '../../contracts/routing.ts';
import { personas } from './personas/registry.ts';
import {
  defaultMaxCalls,
  defaultWarmProcesses,
  CPU_LOAD_LIMIT,
  SERVER_TARGET_LOAD,
  type CapacityPolicy,
} from './capacity.ts';
import { MAX_HOLD_MS } from './worker/admission.ts';
import { cpuScope, type CpuScope } from './worker/cpu-use.ts';
import { userPrivateDir } from './worker/private-dir.ts';
import {
  parseVoiceSettings,
  VoiceSettingsError,
  type VoiceSettings,
} from './voice/providers/settings.ts';

const envSchema = z.object({
  LIVEKIT_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL'),
  ...sharedEnv,
  /** Worker health/status HTTP port (agents-js serves `/` and `/worker`). */
  AGENT_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  AGENT_HEALTH_HOST: z.string().default('0.0.0.0'),
  /**
   * Calls one worker takes before it reports itself full. Default: what the
   * machine's cores carry at the measured cost of a call (capacity.ts).
   */
  AGENT_MAX_CALLS: z.coerce.number().int().min(1).max(1000).optional(),
  /**
   * Job processes kept started and prewarmed ahead of calls. A process takes
   * about 1.5 s of CPU to start, one at a time, so a burst is answered at
   * once only up to this many callers; each idle one holds about 150 MB and
   * 1% of a core. Default: AGENT_MAX_CALLS, at most 4.
   */
  AGENT_WARM_PROCESSES: z.coerce.number().int().min(1).max(1000).optional(),
  /**
   * The temporary directory (the OS's rule: /tmp when unset); the files the
   * worker creates live in its user's own directory there (`files.root`).
   */
  TMPDIR: z.string().min(1).optional(),
  /**
   * Node's compile cache for the job processes (each one imports the whole
   * framework: about half its start-up CPU is compiling it); `off` turns it
   * off. Default `compile-cache` in the user's directory.
   */
  AGENT_COMPILE_CACHE_DIR: z.string().min(1).optional(),
  AGENT_JOB_BUNDLE: z.enum(['on', 'off']).default('on'),
  /**
   * How long a call arriving at a full worker waits for a call to end and
   * free its place before the worker refuses it (worker/admission.ts). Under
   * livekit-server's 3 s job request timeout, which the workers it tries share.
   */
  AGENT_ADMISSION_HOLD_MS: z.coerce.number().int().min(0).max(MAX_HOLD_MS).default(2000),
  /**
   * livekit-server's `agents.target_load` (its default 0.7): the load past
   * which it offers a worker no job. The worker reports its fill scaled to it
   * (capacity.ts); set it to what the server is configured with.
   */
  AGENT_SERVER_TARGET_LOAD: z.coerce.number().min(0.05).max(1).default(SERVER_TARGET_LOAD),
  /** CPU use (0-1, of the container's limit or the node) at which the worker reports full; 0 counts calls only. */
  AGENT_CPU_LOAD_LIMIT: z.coerce.number().min(0).max(1).default(CPU_LOAD_LIMIT),
  /** How long a stopping worker lets its calls finish (SIGTERM drain). */
  AGENT_DRAIN_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(86_400).default(1800),
  /** The framework's logger level (the chart sets it). */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** Dispatch API the agent stores callbacks and records through. */
  DISPATCH_URL: z
    .string()
    .regex(/^https?:\/\//, 'must be an http(s):// URL')
    .optional(),
  /** The customer's data actions (account/order lookups) personas may call. */
  DATA_ACTIONS_URL: z
    .string()
    .regex(/^https?:\/\//, 'must be an http(s):// URL')
    .optional(),
  DATA_ACTIONS_TOKEN: z.string().min(1).optional(),
  /**
   * Where callback requests and call records wait while dispatch is down
   * (shared by the worker's job processes, and safely by other workers of
   * the same user). Default `spool` in the user's directory.
   */
  AGENT_SPOOL_DIR: z.string().min(1).optional(),
  /** Prometheus `/metrics` of the worker process. */
  AGENT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  AGENT_METRICS_HOST: z.string().default('0.0.0.0'),
  /**
   * Set by the worker process for its job processes (loopback datagram
   * address of its metrics registry); not an operator setting.
   */
  GVA_METRICS_UDP: z
    .string()
    .regex(/^127\.0\.0\.1:[0-9]{1,5}$/, 'must be 127.0.0.1:<port>')
    .optional(),
  /** OTLP/HTTP collector for traces, e.g. http://otel-collector:4318; tracing is off without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .regex(/^https?:\/\//, 'must be an http(s):// URL')
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('genesys-voice-agent'),
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
  capacity: CapacityPolicy;
  /** The CPU the worker may use: its container's limit, else the node's cores. */
  cpu: CpuScope;
  dispatch: Readonly<{ url: string | undefined; token: string | undefined }>;
  dataActions: Readonly<{ baseUrl: string | undefined; token: string | undefined }>;
  drainTimeoutSeconds: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  offlineVoice: Readonly<{ ttsVoice: string }>;
  metrics: Readonly<{ host: string; port: number; jobTarget: string | undefined }>;
  /** Where the worker and its job processes write (see worker/private-dir.ts). */
  files: AgentFiles;
  tracing: Readonly<{ endpoint: string | undefined; serviceName: string }>;
  /** Cloud providers, offline pieces and turn tuning (see voice/providers/settings.ts). */
  voice: VoiceSettings;
}>;

/** The directories the agent writes in; every default is under `root`, each made mode 0700. */
export type AgentFiles = Readonly<{
  /** The user's own directory under TMPDIR, `genesys-voice-agent-<uid>` (mode 0700). */
  root: string;
  /** Callback requests and call records waiting for dispatch. */
  spool: string;
  /** Node compile cache shared by the job processes; undefined when off. */
  compileCache: string | undefined;
  /** Where the job processes' bundle is built (worker/job-bundle.ts); undefined when off. */
  jobBundle: string | undefined;
  /** Greeting audio the job processes share (content-addressed). */
  greetings: string;
  /** The offline recognizer's grammar files (content-addressed) and input FIFOs. */
  pocketsphinx: string;
}>;

export { ConfigError } from '../../contracts/env.ts';

/**
 * Parses the given environment (default `process.env`); throws {@link ConfigError} listing every problem.
 * `cpu` is where the worker runs (its container's CPU limit, else the node): the default capacity follows its cores.
 */
export function loadAgentConfig(
  env: NodeJS.ProcessEnv = process.env,
  cpu: CpuScope = cpuScope(),
): AgentConfig {
  const e = readEnv('agent', envSchema, env);
  let voice: VoiceSettings;
  try {
    voice = parseVoiceSettings(setVariables(env));
  } catch (err) {
    if (err instanceof VoiceSettingsError) throw configError('agent', err.issues);
    throw err;
  }
  const realtimePersonas = voice.realtime?.personas;
  const unknown =
    realtimePersonas === 'all' ? [] : (realtimePersonas ?? []).filter((p) => !personas.has(p));
  if (unknown.length > 0)
    throw configError('agent', [
      `OPENAI_REALTIME_PERSONAS: no persona named ${unknown.join(', ')} (there are ${[...personas.keys()].join(', ')})`,
    ]);
  const maxCalls = e.AGENT_MAX_CALLS ?? defaultMaxCalls(cpu.cores);
  return deepFreeze({
    livekit: { url: e.LIVEKIT_URL, apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET },
    routing: loadRouting(e.ROUTING_FILE),
    health: { host: e.AGENT_HEALTH_HOST, port: e.AGENT_HEALTH_PORT },
    capacity: {
      maxCalls,
      cpuLimit: e.AGENT_CPU_LOAD_LIMIT,
      warmProcesses: e.AGENT_WARM_PROCESSES ?? defaultWarmProcesses(maxCalls),
      holdMs: e.AGENT_ADMISSION_HOLD_MS,
      serverTargetLoad: e.AGENT_SERVER_TARGET_LOAD,
    },
    cpu,
    drainTimeoutSeconds: e.AGENT_DRAIN_TIMEOUT_SECONDS,
    logLevel: e.LOG_LEVEL,
    dispatch: { url: e.DISPATCH_URL, token: e.DISPATCH_API_TOKEN },
    dataActions: { baseUrl: e.DATA_ACTIONS_URL, token: e.DATA_ACTIONS_TOKEN },
    offlineVoice: { ttsVoice: e.OFFLINE_TTS_VOICE },
    metrics: {
      host: e.AGENT_METRICS_HOST,
      port: e.AGENT_METRICS_PORT,
      jobTarget: e.GVA_METRICS_UDP,
    },
    tracing: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    files: agentFiles(e),
    voice,
  });
}

function agentFiles(e: z.output<typeof envSchema>): AgentFiles {
  // TMPDIR, else /tmp (as os.tmpdir() has it on Linux), from the environment given.
  const root = userPrivateDir(e.TMPDIR ?? '/tmp');
  const compileCache = e.AGENT_COMPILE_CACHE_DIR ?? join(root, 'compile-cache');
  return {
    root,
    spool: e.AGENT_SPOOL_DIR ?? join(root, 'spool'),
    compileCache: compileCache === 'off' ? undefined : compileCache,
    jobBundle: e.AGENT_JOB_BUNDLE === 'on' ? join(root, 'job-bundle') : undefined,
    greetings: join(root, 'greetings'),
    pocketsphinx: join(root, 'pocketsphinx'),
  };
}

let cached: AgentConfig | undefined;
/** The process-wide configuration, loaded on first use. */
export function agentConfig(): AgentConfig {
  cached ??= loadAgentConfig();
  return cached;
}
