/**
 * The whole telephony stack on one machine, as production runs it: Redis,
 * livekit-server, livekit-sip, our dispatch service and our agent worker.
 * Used by `make up`, the demo and the real-stack tests.
 *
 * @example
 * const stack = await startStack({ slot: 1, name: 'test-call' });
 * try { ... } finally { await stack.stop(); }
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { LIVEKIT_WEBHOOK_PATH } from '../../dispatch/src/http/livekit-webhook.ts';
import { freePort } from '../../dispatch/src/testing/free-port.ts';
import { httpOk, ManagedProcess } from './process.ts';
import { startServiceProxy, type ServiceProxy } from './service-proxy.ts';
import { stackPorts, type StackPorts } from './ports.ts';
import { REPO_ROOT, stackTools } from './tools.ts';

export type StackOptions = Readonly<{
  /** Port layout, see {@link stackPorts}; 0 is the developer default. */
  slot: number;
  /** Names the run directory `.run/<name>/` holding configs and logs. */
  name: string;
  /** Echo every component's output, prefixed, to stdout. */
  echo?: boolean;
  routingFile?: string;
  /** Extra environment for the agent worker. */
  agentEnv?: Readonly<Record<string, string>>;
  /** Extra environment for dispatch (e.g. a call-record webhook's secret). */
  dispatchEnv?: Readonly<Record<string, string>>;
  /** Dispatch's database (default: SQLite in the run directory). */
  databaseUrl?: string;
  /**
   * Dispatch replicas (default 1): `dispatch`, then `dispatch-2`..., each on
   * a port of its own behind a Service-like proxy on the slot's dispatch port
   * (harness/service-proxy.ts). More than one needs a shared `databaseUrl`.
   */
  dispatchReplicas?: number;
  /** Start only Redis and livekit-server (for control-plane tests). Default false. */
  livekitOnly?: boolean;
  /** Start our agent worker (default true); false leaves the room for another worker. */
  agent?: boolean;
  /**
   * How many agent workers (default 1): `agent`, then `agent-2`..., each with
   * its own log file (`agent.log`, `agent-2.log`) and health and metrics ports
   * (the slot's, plus one per worker).
   */
  agentWorkers?: number;
  /** Node options for the agent worker, which its job processes inherit (e.g. `--cpu-prof`). */
  agentNodeArgs?: readonly string[];
  /** A command the agent worker runs under, its own command appended (the benchmark's cgroup). */
  agentLaunch?: readonly string[];
  /**
   * Runs dispatch and the agent workers from this application tree, also
   * their working directory, instead of the checkout: the layout of the
   * image's /app (package.json, node_modules, contracts/, agent/src/,
   * dispatch/src/, dispatch/openapi.yaml).
   */
  appRoot?: string;
  /**
   * Runs dispatch and the agent workers as the image does: as this user, in
   * an environment of their own (`env` and the stack's settings, nothing of
   * the test process's), each service with its own writable directory as
   * HOME and TMPDIR (dispatch keeps its SQLite database there; several agent
   * workers share theirs, as on one host). Default: as the test process,
   * with its environment.
   */
  runAs?: Readonly<{
    uid: number;
    gid: number;
    env: Readonly<Record<string, string>>;
    homes: Readonly<{ dispatch: string; agent: string }>;
  }>;
}>;

export type Stack = Readonly<{
  /** Bearer token of the stack's dispatch API. */
  dispatchToken: string;
  ports: StackPorts;
  runDir: string;
  livekit: Readonly<{ wsUrl: string; httpUrl: string; apiKey: string; apiSecret: string }>;
  processes: ReadonlyMap<string, ManagedProcess>;
  /**
   * Stops one component (`term`: SIGTERM, then SIGKILL after `graceMs`
   * (default the component's), as a rolling restart does; `kill`: SIGKILL,
   * as a crash) and starts it again with the same configuration, appending
   * to its log; resolves once it is ready.
   */
  restart: (name: string, how: 'term' | 'kill', graceMs?: number) => Promise<void>;
  /** Stops everything in reverse start order; safe to call twice. */
  stop: () => Promise<void>;
}>;

export async function startStack(opts: StackOptions): Promise<Stack> {
  const ports = stackPorts(opts.slot);
  const tools = stackTools();
  const runDir = join(REPO_ROOT, '.run', opts.name);
  // Each run starts clean: tests read these logs and must not see an earlier run's lines.
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const routingFile = withRingTimeout(
    opts.routingFile ?? join(REPO_ROOT, 'livekit-config/routing.yaml'),
    runDir,
  );

  const lkConfig = parseYaml(
    readFileSync(join(REPO_ROOT, 'livekit-config/livekit.yaml'), 'utf8'),
  ) as LiveKitYaml;
  const [apiKey, apiSecret] = Object.entries(lkConfig.keys)[0] ?? [];
  if (!apiKey || !apiSecret) throw new Error('livekit-config/livekit.yaml has no keys');
  const wsUrl = `ws://127.0.0.1:${ports.livekitHttp}`;
  const httpUrl = `http://127.0.0.1:${ports.livekitHttp}`;

  lkConfig.port = ports.livekitHttp;
  lkConfig.rtc = {
    ...lkConfig.rtc,
    tcp_port: ports.livekitRtcTcp,
    port_range_start: ports.livekitRtcUdp[0],
    port_range_end: ports.livekitRtcUdp[1],
  };
  lkConfig.redis = { address: `127.0.0.1:${ports.redis}` };
  // Room events go to this stack's dispatch, which closes bridged rooms.
  lkConfig.webhook = {
    api_key: apiKey,
    urls: [`http://127.0.0.1:${ports.dispatch}${LIVEKIT_WEBHOOK_PATH}`],
  };
  writeFileSync(join(runDir, 'livekit.yaml'), toYaml(lkConfig));

  const sipConfig = parseYaml(
    readFileSync(join(REPO_ROOT, 'livekit-config/sip.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  Object.assign(sipConfig, {
    api_key: apiKey,
    api_secret: apiSecret,
    ws_url: wsUrl,
    redis: { address: `127.0.0.1:${ports.redis}` },
    sip_port: ports.sip,
    rtp_port: `${ports.sipRtp[0]}-${ports.sipRtp[1]}`,
    health_port: ports.sipHealth,
  });
  writeFileSync(join(runDir, 'sip.yaml'), toYaml(sipConfig));

  const dispatchToken = 'local-stack-token-0123456789';
  const livekitEnv = {
    LIVEKIT_API_KEY: apiKey,
    LIVEKIT_API_SECRET: apiSecret,
    ROUTING_FILE: routingFile,
    DISPATCH_API_TOKEN: dispatchToken,
  };
  const started = new Map<string, ManagedProcess>();
  const order: ManagedProcess[] = [];
  const finish = (): Stack =>
    Object.freeze({
      ports,
      dispatchToken,
      runDir,
      livekit: Object.freeze({ wsUrl, httpUrl, apiKey, apiSecret }),
      processes: started,
      restart,
      stop,
    });
  const proxies: ServiceProxy[] = [];
  const stop = async () => {
    for (const p of order.splice(0).reverse()) await p.stop();
    for (const proxy of proxies.splice(0)) await proxy.close();
  };
  const restart = async (name: string, how: 'term' | 'kill', graceMs?: number) => {
    const old = started.get(name);
    if (!old) throw new Error(`the stack has no ${name}`);
    if (how === 'kill') old.signal('SIGKILL');
    await old.stop(graceMs);
    const fresh = await ManagedProcess.start(old.spec, opts.echo ?? false);
    started.set(name, fresh);
    order[order.indexOf(old)] = fresh;
  };
  const appRoot = opts.appRoot ?? REPO_ROOT;
  const runAs = opts.runAs;
  /** How dispatch and the agent run: from `appRoot`, as `runAs` in a clean environment when set. */
  const nodeService = () => ({
    command: process.execPath,
    ...(opts.appRoot !== undefined && { cwd: opts.appRoot }),
    ...(runAs && { uid: runAs.uid, gid: runAs.gid, cleanEnv: true }),
  });
  const launched = (service: ReturnType<typeof nodeService>, args: readonly string[]) => {
    const [command, ...prefix] = opts.agentLaunch ?? [];
    return command === undefined
      ? { ...service, args }
      : { ...service, command, args: [...prefix, service.command, ...args] };
  };
  const serviceEnv = (service: 'dispatch' | 'agent') =>
    runAs ? { ...runAs.env, HOME: runAs.homes[service], TMPDIR: runAs.homes[service] } : {};
  const add = async (spec: Parameters<typeof ManagedProcess.start>[0]) => {
    const p = await ManagedProcess.start(spec, opts.echo ?? false);
    started.set(spec.name, p);
    order.push(p);
  };

  try {
    await add({
      name: 'redis',
      command: 'redis-server',
      args: [
        '--port',
        String(ports.redis),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      logFile: join(runDir, 'redis.log'),
      ready: () => redisPing(ports.redis),
    });
    await add({
      name: 'livekit',
      command: tools.livekitServer,
      args: ['--config', join(runDir, 'livekit.yaml')],
      logFile: join(runDir, 'livekit-server.log'),
      ready: () => httpOk(httpUrl),
    });
    if (opts.livekitOnly) return finish();
    await add({
      name: 'sip',
      command: tools.livekitSip,
      args: ['--config', join(runDir, 'sip.yaml')],
      logFile: join(runDir, 'livekit-sip.log'),
      // 429 = serving but reporting CPU load.
      ready: () => httpOk(`http://127.0.0.1:${ports.sipHealth}/`, [429]),
      stopTimeoutMs: 5000,
    });
    const replicas = opts.dispatchReplicas ?? 1;
    const dispatchPorts =
      replicas === 1
        ? [ports.dispatch]
        : await Promise.all(Array.from({ length: replicas }, () => freePort()));
    for (const [i, port] of dispatchPorts.entries()) {
      const replica = i === 0 ? 'dispatch' : `dispatch-${i + 1}`;
      await add({
        name: replica,
        ...nodeService(),
        args: [join(appRoot, 'dispatch/src/main.ts'), 'serve'],
        env: {
          ...serviceEnv('dispatch'),
          ...livekitEnv,
          LIVEKIT_URL: httpUrl,
          DISPATCH_HOST: '127.0.0.1',
          DISPATCH_PORT: String(port),
          DATABASE_URL:
            opts.databaseUrl ?? `sqlite:${join(runAs?.homes.dispatch ?? runDir, 'dispatch.db')}`,
          ...opts.dispatchEnv,
        },
        logFile: join(runDir, `${replica}.log`),
        ready: () => httpOk(`http://127.0.0.1:${port}/readyz`),
      });
    }
    if (replicas > 1) {
      const service = await startServiceProxy(ports.dispatch, dispatchPorts);
      proxies.push(service);
    }
    if (opts.agent === false) return finish();
    for (let i = 0; i < (opts.agentWorkers ?? 1); i++) {
      const worker = i === 0 ? 'agent' : `agent-${i + 1}`;
      await add({
        name: worker,
        ...launched(nodeService(), [
          ...(opts.agentNodeArgs ?? []),
          join(appRoot, 'agent/src/main.ts'),
          'start',
        ]),
        env: {
          ...serviceEnv('agent'),
          ...livekitEnv,
          // One machine runs the whole stack and the tests: count capacity in calls only.
          AGENT_CPU_LOAD_LIMIT: '0',
          AGENT_DRAIN_TIMEOUT_SECONDS: '5',
          // The tests place calls one or two at a time: a small pool starts the stack faster.
          AGENT_WARM_PROCESSES: '2',
          // STACK_AGENT_LOG_LEVEL=debug shows the agent's turn-by-turn states when a test needs it.
          ...(process.env['STACK_AGENT_LOG_LEVEL']
            ? { LOG_LEVEL: process.env['STACK_AGENT_LOG_LEVEL'] }
            : {}),
          ...opts.agentEnv,
          LIVEKIT_URL: wsUrl,
          DISPATCH_URL: `http://127.0.0.1:${ports.dispatch}`,
          AGENT_HEALTH_HOST: '127.0.0.1',
          AGENT_HEALTH_PORT: String(ports.agentHealth + i),
          AGENT_METRICS_HOST: '127.0.0.1',
          AGENT_METRICS_PORT: String(ports.agentMetrics + i),
        },
        logFile: join(runDir, `${worker}.log`),
        ready: () => httpOk(`http://127.0.0.1:${ports.agentHealth + i}/`),
        readyTimeoutMs: 60_000,
        stopTimeoutMs: 5000,
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return finish();
}

type LiveKitYaml = {
  port?: number;
  rtc?: Record<string, unknown>;
  redis?: Record<string, unknown>;
  webhook?: Readonly<{ api_key: string; urls: readonly string[] }>;
  keys: Record<string, string>;
} & Record<string, unknown>;

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * How long a test stack's calls ring before livekit-sip refuses them, when
 * the routing file sets no `inboundTrunk.ringTimeoutSeconds`. The product's
 * 3 s assumes a worker with warm job processes on a machine of its own; a
 * shared test machine that starts a stack and calls it at once can take
 * longer to answer, and a test is about its call, not that race. The
 * admission test sets its own.
 */
export const STACK_RING_TIMEOUT_SECONDS = 15;

/** The routing file as the stack runs it: `file` itself, or a copy in `runDir` with the stack's ring timeout. */
function withRingTimeout(file: string, runDir: string): string {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    return file; // a test of a broken routing file gets it as written
  }
  const trunk = (doc as { inboundTrunk?: Record<string, unknown> } | null)?.inboundTrunk;
  if (typeof trunk !== 'object' || trunk === null || trunk['ringTimeoutSeconds'] !== undefined)
    return file;
  trunk['ringTimeoutSeconds'] = STACK_RING_TIMEOUT_SECONDS;
  const copy = join(runDir, 'routing.yaml');
  writeFileSync(copy, toYaml(doc));
  return copy;
}
