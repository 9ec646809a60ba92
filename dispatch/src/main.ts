/**
 * The dispatch service.
 *   node dispatch/src/main.ts            provision LiveKit from the routing file, then serve HTTP
 *   node dispatch/src/main.ts apply      provision once and exit
 *   node dispatch/src/main.ts apply --dry-run   print the plan only
 *   node dispatch/src/main.ts migrate    bring the database schema up to date and exit
 */
import { serve } from '@hono/node-server';
import { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { RoutingConfigError } from '../../contracts/routing.ts';
import { ConfigError, loadDispatchConfig, type DispatchConfig } from './config.ts';
import { createApp } from './http/app.ts';
import { roomDeleter } from './http/livekit-webhook.ts';
import { createDispatchMetrics } from './http/metrics.ts';
import { log } from './log.ts';
import { outboundCallsVia } from './outbound/wiring.ts';
import { desiredState } from './provision/desired.ts';
import { keepProvisioned } from './provision/keeper.ts';
import { applyPlan, formatPlan, planReconcile } from './provision/reconcile.ts';
import { roomAnswerer } from './admission/answerer.ts';
import { createNoAgentHandOn } from './admission/hand-on.ts';
import { refusedCalls } from './admission/refused-call.ts';
import { callRecovery } from './recovery/wiring.ts';
import { SipAdmin } from './provision/sip-api.ts';
import { routingWarnings } from './provision/warnings.ts';
import { createOutbox } from './outbox/outbox.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { deadWorkerSweeper } from './recovery/dead-workers.ts';
import { WORKER_LEASE_TTL_MS } from '../../contracts/worker-lease.ts';

const [command = 'serve', ...flags] = process.argv.slice(2);

let config: DispatchConfig;
try {
  config = loadDispatchConfig();
} catch (err) {
  if (err instanceof ConfigError || err instanceof RoutingConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const admin = new SipAdmin(config.livekit);
const desired = desiredState(config.routing, {
  inboundAuth: config.inboundTrunkAuth,
  outboundAuth: config.outboundTrunkAuth,
  hashKey: config.livekit.apiSecret,
});
if (config.outboundTrunkAuth && !config.routing.outboundTrunk)
  log.warn('OUTBOUND_TRUNK_USERNAME is set but the routing file has no outboundTrunk; ignored', {
    routingFile: config.routingFile,
  });
for (const warning of routingWarnings(config.routing))
  log.warn(warning.msg, { routingFile: config.routingFile, ...warning.fields });

let provisionedOnce = false;

/** Reconciles LiveKit with the routing file; `unchanged` when it already matched (or would). */
async function provision(dryRun: boolean): Promise<'applied' | 'unchanged'> {
  const plan = await planReconcile(admin, desired);
  const outcome = plan.every((a) => a.op === 'keep') ? 'unchanged' : 'applied';
  // The periodic check finds nothing to do almost always: say so only on request.
  if (outcome === 'unchanged' && !dryRun && provisionedOnce) return outcome;
  log.info('provisioning plan', {
    routingFile: config.routingFile,
    dryRun,
    plan: formatPlan(plan).split('\n'),
  });
  if (dryRun) return outcome;
  const result = await applyPlan(admin, desired, plan);
  provisionedOnce = true;
  log.info('provisioned LiveKit SIP', {
    trunkId: result.trunkId,
    outboundTrunkId: result.outboundTrunkId,
    ruleIds: result.ruleIds,
  });
  return outcome;
}

if (command === 'apply') {
  const dryRun = flags.includes('--dry-run');
  try {
    await provision(dryRun);
    if (dryRun) console.log(formatPlan(await planReconcile(admin, desired)));
  } catch (err) {
    log.error('provisioning failed', { error: (err as Error).message });
    process.exit(1);
  }
} else if (command === 'migrate') {
  try {
    await (await openStore(config.database)).close();
    log.info('database schema is up to date', { database: config.database.kind });
  } catch (err) {
    log.error('migration failed', { error: (err as Error).message });
    process.exit(1);
  }
} else if (command === 'serve') {
  let provisioned = false;
  let lastError: string | undefined;
  let store: Store;
  try {
    store = await openStore(config.database);
  } catch (err) {
    // The URL may hold a password: name the kind of database only.
    log.error('opening the database failed', {
      database: config.database.kind,
      error: (err as Error).message,
    });
    process.exit(1);
  }
  if (!config.apiToken)
    log.warn('DISPATCH_API_TOKEN is not set; /v1 endpoints refuse every request');
  const metrics = createDispatchMetrics();
  const outbox = createOutbox({
    store,
    webhooks: config.callRecordWebhooks,
    deliveries: metrics.webhookDeliveries,
  });
  const { apiUrl, apiKey, apiSecret } = config.livekit;
  const rooms = new RoomServiceClient(apiUrl, apiKey, apiSecret);
  const sip = new SipClient(apiUrl, apiKey, apiSecret);
  const app = createApp({
    status: () => ({ provisioned, lastError }),
    store,
    apiToken: config.apiToken,
    metrics,
    livekitWebhook: {
      apiKey,
      apiSecret,
      deleteRoom: roomDeleter(rooms),
      recover: callRecovery(config.routing, rooms, { apiUrl, apiKey, apiSecret }),
      handOn: createNoAgentHandOn({
        routing: config.routing,
        listParticipants: (room) => rooms.listParticipants(room),
        claim: roomAnswerer(config.livekit),
        transferCaller: (room, identity, referTo, headers) =>
          sip.transferSipParticipant(room, identity, referTo, {
            playDialtone: false,
            headers: { ...headers },
          }),
        store: (call) =>
          store.createCallRecord(
            call,
            config.callRecordWebhooks.map((w) => w.name),
          ),
        count: (route, result) => metrics.handedOnCalls.inc({ route, result }),
        stored: outbox.wake,
      }),
      recordRefused: refusedCalls({
        routing: config.routing,
        store: (call) =>
          store.createCallRecord(
            call,
            config.callRecordWebhooks.map((w) => w.name),
          ),
        count: (route) => metrics.refusedCalls.inc({ route }),
        stored: outbox.wake,
      }),
    },
    outboundCalls: outboundCallsVia(config.routing, config.livekit),
    callRecords: { webhooks: config.callRecordWebhooks.map((w) => w.name), stored: outbox.wake },
  });
  const server = serve(
    { fetch: app.fetch, hostname: config.http.host, port: config.http.port },
    (info) => log.info('dispatch listening', { port: info.port }),
  );
  outbox.start();
  // A worker that dies whole (its pod lost) is found by its lapsed lease, not after LiveKit's 20 s.
  const sweepDeadWorkers = deadWorkerSweeper({
    takeExpired: (now) => store.takeExpiredWorkerLeases(now),
    removeParticipant: (room, identity) => rooms.removeParticipant(room, identity),
    graceMs: 3 * WORKER_LEASE_TTL_MS,
  });
  const sweeper = setInterval(
    () =>
      void sweepDeadWorkers().catch((err: unknown) =>
        log.error('checking worker leases failed', { error: String(err) }),
      ),
    500,
  );
  sweeper.unref();
  const stop = () => {
    log.info('dispatch stopping');
    clearInterval(sweeper);
    const outboxStopped = outbox.stop();
    server.close(() => {
      void outboxStopped
        .then(() => store.close())
        .catch((err: unknown) => log.error('closing the store failed', { error: String(err) }))
        .finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // LiveKit may start after us, and may lose its SIP configuration later
  // (a Redis restarted without its data): keep it equal to the routing file.
  const stopKeeping = keepProvisioned({
    provision: () => provision(false),
    everyMs: config.reconcileEveryMs,
    onResult: (result) => metrics.recordReconcile(result),
    onProvisioned: () => {
      provisioned = true;
      lastError = undefined;
    },
    onFailure: (error, retryInMs) => {
      lastError = error;
      log.warn('provisioning failed; retrying', { error, retryInMs });
    },
    onRepaired: () =>
      log.warn('LiveKit SIP configuration had drifted from the routing file; repaired', {
        routingFile: config.routingFile,
      }),
  });
  process.once('exit', stopKeeping);
} else {
  console.error(`unknown command "${command}"; use "serve", "apply [--dry-run]" or "migrate"`);
  process.exit(2);
}
