/**
 * Starts an agent worker: `node agent/src/main.ts start`. Registers with
 * LiveKit under the routing file's agent name (explicit dispatch).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { log, type RunningJobInfo } from '@livekit/agents';
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { RoomServiceClient } from 'livekit-server-sdk';
import { reportedLoad, workerLoad } from './capacity.ts';
import { agentConfig, ConfigError } from './config.ts';
import { createAgentMetrics, startMetricsServer } from './observability/metrics-server.ts';
import { METRICS_UDP_ENV } from './observability/metrics-sink.ts';
import { routingProblems } from './personas/registry.ts';
import { WORKER_LEASE_RENEW_MS } from '../../contracts/worker-lease.ts';
import { createWorkerLease, dispatchLeaseClient } from './worker/lease.ts';
import { runWorker } from './worker/run.ts';
import { runningCalls } from './worker/running-calls.ts';
import { ensurePrivateDir, PRIVATE_DIR_MODE, PrivateDirError } from './worker/private-dir.ts';
import { createJobReaper } from './worker/job-reaper.ts';
import { jobCode } from './worker/job-bundle.ts';
import { createJobAdmission, ROOM_LOOKUP_TIMEOUT_MS } from './worker/admission.ts';
import { cpuSampler } from './worker/cpu-use.ts';
import { createDispatchClient } from './dispatch-client.ts';
import { createDispatchSpool } from './dispatch-spool.ts';
import { RoutingConfigError } from '../../contracts/routing.ts';

let config;
try {
  config = agentConfig();
  // Before any job process forks: what the worker writes is this user's alone (worker/private-dir.ts).
  ensurePrivateDir(config.files.root);
} catch (err) {
  if (
    err instanceof ConfigError ||
    err instanceof RoutingConfigError ||
    err instanceof PrivateDirError
  ) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const capacity = config.capacity;
const cpuUse = cpuSampler(config.cpu);

const problems = routingProblems(config.routing);
if (problems.length > 0) {
  console.error(`personas and routing file disagree:\n  ${problems.join('\n  ')}`);
  process.exit(2);
}

// A job process that dies without leaving its room is removed from it at once,
// so dispatch can send a replacement agent (see worker/job-reaper.ts).
const rooms = (requestTimeout?: number) =>
  new RoomServiceClient(
    config.livekit.url.replace(/^ws/, 'http'),
    config.livekit.apiKey,
    config.livekit.apiSecret,
    requestTimeout === undefined ? {} : { requestTimeout },
  );
const reaper = createJobReaper({
  removeParticipant: (room, identity) => rooms().removeParticipant(room, identity),
  // The framework sets its logger up inside runApp: look it up when used.
  log: { info: (fields, msg) => log().info(fields, msg) },
});
let runningJobs: () => readonly RunningJobInfo[] = () => [];
// Whether a held call's caller is still there (a lookup that times out keeps the caller's place).
const roomLookup = rooms(ROOM_LOOKUP_TIMEOUT_MS / 1000);
// The CPU guard's reading at the latest load report (every 2.5 s).
let cpuNow = 0;
// Each accepted call counts at once, not at the next load report (worker/admission.ts).
const admission = createJobAdmission({
  maxCalls: capacity.maxCalls,
  cpuFull: () => capacity.cpuLimit > 0 && cpuNow >= capacity.cpuLimit,
  holdMs: capacity.holdMs,
  running: () => runningJobs().map((j) => j.job.id),
  callerPresent: async (room) =>
    (await roomLookup.listParticipants(room)).some((p) => p.kind === ParticipantInfo_Kind.SIP),
  refused: (jobId, why, calls, waitedMs) => {
    if (why === 'caller_left') {
      log().info({ jobId, waitedMs }, 'caller left while the call waited for a place');
      return;
    }
    metrics.refuseJob();
    log().info(
      { jobId, calls, maxCalls: capacity.maxCalls, cpuUse: cpuNow, waitedMs },
      'worker full: call refused',
    );
  },
});
setInterval(() => reaper.observe(runningJobs()), 500).unref();

// Dispatch finds this worker dead by its lapsed lease if the pod is lost (contracts/worker-lease.ts).
const lease =
  config.dispatch.url && config.dispatch.token
    ? createWorkerLease(
        dispatchLeaseClient(
          { url: config.dispatch.url, token: config.dispatch.token },
          randomUUID(),
        ),
        () => log(),
      )
    : undefined;
if (lease)
  setInterval(() => lease.renew(runningCalls(runningJobs())), WORKER_LEASE_RENEW_MS).unref();

// Callback requests and call records spooled while dispatch was down go out from here.
const spool = createDispatchSpool(createDispatchClient(config.dispatch), config.files.spool);
setInterval(() => void spool.flush(), 5000).unref();

// Job processes inherit the environment at fork: the compile cache spares each
// of them compiling the framework again, and they find the metrics registry here.
const compileCache = config.files.compileCache;
if (compileCache) {
  // Made here as the user's own (Node would make it 0755); where it cannot be, Node goes without.
  try {
    mkdirSync(compileCache, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch {
    // a cache only
  }
  process.env['NODE_COMPILE_CACHE'] = compileCache;
}
const metrics = createAgentMetrics();
const metricsServer = await startMetricsServer(metrics, config.metrics);
process.env[METRICS_UDP_ENV] = metricsServer.udpTarget;

if (process.argv[2] !== 'start') {
  console.error('usage: node agent/src/main.ts start');
  process.exit(2);
}

// Job processes load the framework, the plugins and the agent from one bundle
// built now from this source: half the CPU of each job process's start (worker/job-bundle.ts).
const code = await jobCode(
  fileURLToPath(new URL('./agent.ts', import.meta.url)),
  config.files.jobBundle,
);

await runWorker(
  {
    agent: code.agent,
    agentName: config.routing.agentName,
    wsURL: config.livekit.url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
    host: config.health.host,
    port: config.health.port,
    requestFunc: admission.request,
    // livekit-server offers jobs below its target load (capacity.ts SERVER_TARGET_LOAD).
    loadFunc: async () => {
      cpuNow = cpuUse();
      const fill = workerLoad(admission.calls(), cpuNow, capacity);
      metrics.setLoad(fill);
      return reportedLoad(fill, capacity.serverTargetLoad);
    },
    loadThreshold: capacity.serverTargetLoad,
    numIdleProcesses: capacity.warmProcesses,
    drainTimeout: config.drainTimeoutSeconds * 1000,
  },
  // A stopping worker lets its calls end (worker/drain.ts).
  {
    drainTimeoutMs: config.drainTimeoutSeconds * 1000,
    logLevel: config.logLevel,
    closed: async () => lease?.release(),
    started: (server) => {
      // From the first job on, not from the first load report 2.5 s after
      // registering: a worker lost before that must still name its calls in its lease.
      runningJobs = () => server.activeJobs;
      log().info(
        { cpu: config.cpu.kind, cores: config.cpu.cores, maxCalls: capacity.maxCalls },
        'worker capacity',
      );
      metrics.trackCalls(() => server.activeJobs.length);
      if (code.kind === 'bundled')
        log().info({ dir: code.dir, buildMs: code.buildMs }, 'job processes run from a bundle');
      else log().warn({ why: code.why }, 'job processes run unbundled from source');
    },
  },
);
