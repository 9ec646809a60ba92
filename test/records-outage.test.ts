/**
 * What a call leaves behind when the services that keep it are down: the
 * call record (dispatch's database, PostgreSQL here as the chart runs it)
 * and its delivery to the contact center's call-record webhook. Each case
 * places a Genesys call that waits in silence and presses 0 (a transfer),
 * with one piece down from mid-call until after the call ended:
 *
 * 1. dispatch killed (SIGKILL) mid-call and started again 10 s after the
 *    call ended: the job spools its record, the worker redelivers it.
 * 2. PostgreSQL crashed mid-call and back 10 s after the call ended:
 *    dispatch answers 5xx meanwhile, the record waits in the spool.
 * 3. The webhook receiver answering 503 from mid-call until 10 s after the
 *    call ended: the record is stored, its delivery retried from the outbox.
 *
 * Each record must reach the database once, and the receiver must accept
 * it once (every attempt carries the same `X-GVA-Delivery` id).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startPostgres, type PostgresCluster } from '../dispatch/src/store/testing/postgres.ts';
import { startReceiver, type Receiver } from '../dispatch/src/testing/webhook-receiver.ts';
import { callRecordsOf } from './harness/dispatch-records.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitFor, waitForIdleWorker } from './harness/logs.ts';
import { sleep } from './harness/process.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const SECRET_ENV = 'CRM_WEBHOOK_SECRET';
const SECRET = 'records-outage-secret-0123456789';
/** How long the piece stays down after the call ended. */
const DOWN_AFTER_CALL_MS = 10_000;

type Outage = Readonly<{
  name: string;
  cnv: string;
  down: () => Promise<void>;
  up: () => Promise<void>;
}>;

type Kept = Readonly<{
  call: GenesysCallReport;
  upAt: number;
  records: readonly Record<string, unknown>[];
  /** Webhook requests carrying this call's record. */
  deliveries: readonly Readonly<{ id: string; answered: number | 'hang' }>[];
  /** Ms from the piece coming back until the receiver accepted the record. */
  deliveredAfterMs: number | undefined;
}>;

let dir: string;
let cluster: PostgresCluster;
let receiver: Receiver;
let stack: Stack;
let receiverAnswer = 200;
const kept = new Map<string, Kept>();

/** The default routing file with the test's call-record webhook. */
function routingWithWebhook(dir: string, url: string): string {
  const routing = parseYaml(
    readFileSync(join(REPO_ROOT, 'livekit-config/routing.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  routing['callRecords'] = { webhooks: [{ name: 'crm', url, secretEnv: SECRET_ENV }] };
  const file = join(dir, 'routing-webhook.yaml');
  writeFileSync(file, toYaml(routing));
  return file;
}

/** The webhook requests whose body is a record of `cnv`, with their delivery ids. */
function deliveriesOf(cnv: string) {
  return receiver.requests
    .filter((r) => r.body.includes(cnv))
    .map((r) => ({ id: String(r.headers['x-gva-delivery']), answered: r.answered }));
}

async function throughOutage(outage: Outage): Promise<Kept> {
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-recovery.xml',
    conversationId: outage.cnv,
    speech: '',
    trailingSilenceSeconds: 60,
  });
  await waitFor(
    () =>
      readJsonLog(stack.runDir, 'agent.log').some(
        (l) => l['genesysConversationId'] === outage.cnv && l.msg === 'voice pipeline started',
      ),
    (started) => started,
    20_000,
  );
  await sleep(2000);
  await outage.down();
  const call = await placed;
  await waitForIdleWorker(stack.ports.agentHealth, 30_000).catch(() => 0);
  await sleep(DOWN_AFTER_CALL_MS);
  await outage.up();
  const upAt = Date.now();
  const accepted = await waitFor(
    () => deliveriesOf(outage.cnv).some((d) => d.answered === 200),
    (ok) => ok,
    60_000,
  );
  const deliveredAfterMs = accepted ? Date.now() - upAt : undefined;
  // Room for a duplicate to show up, if the product would send one.
  await sleep(8000);
  const records = await callRecordsOf(stack, outage.cnv, 20_000).catch(() => []);
  return { call, upAt, records, deliveries: deliveriesOf(outage.cnv), deliveredAfterMs };
}

beforeAll(async () => {
  cluster = await startPostgres();
  receiver = await startReceiver({ respond: () => receiverAnswer });
  dir = mkdtempSync(join(tmpdir(), 'records-outage-'));
  stack = await startStack({
    slot: 3,
    name: 'test-records-outage',
    databaseUrl: await cluster.createDatabase(),
    dispatchEnv: { [SECRET_ENV]: SECRET },
    routingFile: routingWithWebhook(dir, receiver.url),
  });
  const dispatch = () => {
    const p = stack.processes.get('dispatch');
    if (!p) throw new Error('no dispatch');
    return p;
  };
  const outages: Outage[] = [
    {
      name: 'dispatch killed mid-call, back 10 s after the call',
      cnv: '0a7a6e00-0000-4000-8000-00000000000a',
      down: async () => {
        dispatch().signal('SIGKILL');
        await dispatch().exited;
      },
      up: () => stack.restart('dispatch', 'kill'),
    },
    {
      name: 'PostgreSQL crashed mid-call, back 10 s after the call',
      cnv: '0a7a6e00-0000-4000-8000-00000000000b',
      down: () => cluster.pause(),
      up: () => cluster.resume(),
    },
    {
      name: 'call-record webhook receiver failing (503) from mid-call to 10 s after',
      cnv: '0a7a6e00-0000-4000-8000-00000000000c',
      down: () => Promise.resolve(void (receiverAnswer = 503)),
      up: () => Promise.resolve(void (receiverAnswer = 200)),
    },
  ];
  for (const outage of outages) kept.set(outage.name, await throughOutage(outage));
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('records and their delivery through an outage', () => {
  it.each([
    'dispatch killed mid-call, back 10 s after the call',
    'PostgreSQL crashed mid-call, back 10 s after the call',
    'call-record webhook receiver failing (503) from mid-call to 10 s after',
  ])('%s: the caller is transferred, the record is stored and delivered once', (name) => {
    const k = kept.get(name);
    expect(k).toBeDefined();
    if (!k) return;
    const accepted = k.deliveries.filter((d) => d.answered === 200);
    const ids = new Set(k.deliveries.map((d) => d.id));
    reliabilityRow({
      case: name,
      caller: `${k.call.refer ? 'transferred on DTMF 0' : 'not transferred'}; ${k.records.length} record(s) stored, accepted by the webhook ${accepted.length} time(s) ${k.deliveredAfterMs === undefined ? '' : `${(k.deliveredAfterMs / 1000).toFixed(1)} s after it was back`}`,
      recoverMs: k.deliveredAfterMs,
      callsLost: k.call.refer ? 0 : 1,
      recordsLost: k.records.length > 0 && accepted.length > 0 ? 0 : 1,
    });
    expect(k.call.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero' });
    expect(k.records).toHaveLength(1);
    expect(accepted).toHaveLength(1);
    // Retries are the same delivery: a receiver drops repeats by X-GVA-Delivery.
    expect(ids.size).toBe(1);
  });
});
