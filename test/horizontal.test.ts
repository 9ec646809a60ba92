/**
 * The product as the chart runs it: two agent workers and two dispatch
 * replicas sharing PostgreSQL, dispatch behind one Service address
 * (harness/service-proxy.ts), a call-record webhook. Three callers are up;
 * then one worker (the one serving the Genesys call) and one dispatch
 * replica are killed at once, as when a node is lost.
 *
 * Judged from the wire and the stores: the Genesys call is taken over by
 * the surviving worker (found through its lapsed lease by the surviving
 * replica) and transferred on DTMF 0; the other callers are still
 * answered; a new call afterwards is answered; every record in the database
 * is accepted by the webhook exactly once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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
import { readJsonLog, waitFor } from './harness/logs.ts';
import { sleep } from './harness/process.ts';
import { reliabilityRow } from './harness/reliability.ts';
import { probeInvite, probeSdp, type ProbeResult } from './harness/sip-probe.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const CNV = '40e12000-0000-4000-8000-0000000000aa';
const WORKERS = ['agent', 'agent-2'] as const;
const SECRET_ENV = 'CRM_WEBHOOK_SECRET';

let dir: string;
let cluster: PostgresCluster;
let databaseUrl: string;
let receiver: Receiver;
let stack: Stack;
let call: GenesysCallReport;
let others: ProbeResult[];
let after: ProbeResult;
let killedWorker: string;

const linesOf = (worker: string) =>
  readJsonLog(stack.runDir, `${worker}.log`).filter((l) => l['genesysConversationId'] === CNV);

function routingWithWebhook(url: string): string {
  const routing = parseYaml(
    readFileSync(join(REPO_ROOT, 'livekit-config/routing.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  routing['callRecords'] = { webhooks: [{ name: 'crm', url, secretEnv: SECRET_ENV }] };
  const file = join(dir, 'routing-webhook.yaml');
  writeFileSync(file, toYaml(routing));
  return file;
}

/** A caller that stays on the line for `holdMs`. */
const caller = (holdMs: number) =>
  probeInvite(
    stack.ports.sip,
    {
      dnis: defaultGenesysCall.dnis,
      conversationId: randomUUID(),
      sdp: probeSdp('127.0.0.1', 39994, [[0, 'PCMU/8000']]),
      holdMs,
    },
    holdMs + 8000,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'horizontal-'));
  cluster = await startPostgres();
  databaseUrl = await cluster.createDatabase();
  receiver = await startReceiver({ respond: () => 200 });
  stack = await startStack({
    slot: 8,
    name: 'test-horizontal',
    agentWorkers: 2,
    dispatchReplicas: 2,
    databaseUrl,
    dispatchEnv: { [SECRET_ENV]: 'horizontal-secret-0123456789' },
    routingFile: routingWithWebhook(receiver.url),
  });
  const placed = placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-recovery.xml',
    conversationId: CNV,
    speech: '',
    trailingSilenceSeconds: 60,
  });
  const started = await waitFor(
    () => WORKERS.find((w) => linesOf(w).some((l) => l.msg === 'voice pipeline started')),
    (worker) => worker !== undefined,
    20_000,
  );
  if (!started) throw new Error('no worker started the Genesys call');
  killedWorker = started;
  const load = [caller(25_000), caller(25_000)];
  await sleep(3000);
  stack.processes.get(killedWorker)?.signal('SIGKILL');
  stack.processes.get('dispatch')?.signal('SIGKILL');
  [call, ...others] = await Promise.all([placed, ...load]);
  after = await caller(1000);
  await sleep(10_000);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two workers and two dispatch replicas, one of each killed under load', () => {
  it('has the surviving worker take the Genesys call over and transfer it', async () => {
    const survivor = WORKERS.find((w) => w !== killedWorker) ?? 'agent-2';
    expect(linesOf(survivor).some((l) => l.msg === 'taking over a call whose agent failed')).toBe(
      true,
    );
    expect(call.sipp.failures).toEqual([]);
    expect(call.refer?.uuiFields).toMatchObject({ ai_reason: 'dtmf_zero', ai_cnv: CNV });
    const records = await callRecordsOf(stack, CNV);
    expect(records.some((r) => r['outcome'] === 'transferred')).toBe(true);
  });

  it('answers the other callers and a new one', () => {
    expect(others.map((o) => o.final)).toEqual([200, 200]);
    expect(after.final).toBe(200);
  });

  it('delivers every stored record to the webhook exactly once', async () => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let stored: string[];
    try {
      stored = (await db.query<{ id: string }>('SELECT id FROM call_records')).rows.map(
        (r) => r.id,
      );
    } finally {
      await db.end();
    }
    const accepted = receiver.requests
      .filter((r) => r.answered === 200)
      .map((r) => String((JSON.parse(r.body) as { id?: unknown }).id));
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect([...accepted].sort()).toEqual([...stored].sort());
    reliabilityRow({
      case: 'one of two workers and one of two dispatch replicas killed under load (PostgreSQL)',
      caller:
        `the killed worker's Genesys call taken over and transferred on DTMF 0; ` +
        `${others.filter((o) => o.final === 200).length} of 2 other callers answered, a new call answered; ` +
        `${stored.length} records, each delivered once`,
      callsLost: call.refer ? 0 : 1,
      recordsLost: accepted.length === stored.length ? 0 : stored.length - accepted.length,
    });
  });
});
