/**
 * Test helper: dispatch's HTTP app as main.ts wires it (real SQLite store,
 * real handlers, the real outbound-call code) listening on a loopback port,
 * with only its boundaries faked: LiveKit behind POST /v1/calls (the dialled
 * number's last digit picks how the call ends, see {@link fakeLiveKitCalls}),
 * no webhook signer, and no outbox delivering call records anywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { ServerError, SipCallError } from 'livekit-server-sdk';
import { OWNED_KEYS, ownershipMetadata } from '../../../contracts/ownership.ts';
import { parseRouting } from '../../../contracts/routing.ts';
import { createApp } from '../http/app.ts';
import { createDispatchMetrics } from '../http/metrics.ts';
import {
  CALLEE_IDENTITY,
  findOwnedOutboundTrunk,
  placeCallWith,
  type LiveKitCalls,
} from '../outbound/place-call.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { freePort } from './free-port.ts';

/** A routing file with an outbound trunk, so that POST /v1/calls reaches LiveKit. */
export const FUZZ_ROUTING = parseRouting(
  `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ['198.51.100.0/24'] }
outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  numbers: ['+18005550199', '+18005550100']
queues:
  general: { target: 'sip:+18005550150@byoc.example' }
routes:
  - { name: main, numbers: ['+18005550100'], persona: triage, humanQueue: general }
`,
  'fuzz.yaml',
);

/** ParticipantInfo.Kind in LiveKit's protocol. */
const SIP_KIND = 3;
const AGENT_KIND = 4;

/**
 * A LiveKit whose calls end by the dialled number's last digit: 0 busy (SIP
 * 486), 1 a carrier failure (SIP 503), 2 rings out, 3 answered but no agent
 * joins, 4 LiveKit unreachable; any other digit is answered and joined.
 *
 * @example
 * const lk = fakeLiveKitCalls();
 * await placeCallWith(lk)({ ...req, to: '+15551234560' }); // { status: 'failed', sipStatus: 486, ... }
 */
export function fakeLiveKitCalls(): LiveKitCalls {
  const dialled = new Map<string, string>();
  const outcome = (to: string | undefined) => to?.at(-1) ?? '9';
  return {
    listSipOutboundTrunk: async () => [
      { sipTrunkId: 'ST_fuzz', metadata: ownershipMetadata(OWNED_KEYS.outboundTrunk, 'h') },
    ],
    createRoom: async () => ({}),
    deleteRoom: async (room) => {
      dialled.delete(room);
    },
    createSipParticipant: async (_trunk, to, room) => {
      dialled.set(room, to);
      switch (outcome(to)) {
        case '0':
          throw new SipCallError('twirp', 'INVITE failed', 400, 'failed_precondition', {
            sip_status_code: '486',
            sip_status: 'Busy Here',
          });
        case '1':
          throw new SipCallError('twirp', 'INVITE failed', 400, 'failed_precondition', {
            sip_status_code: '503',
            sip_status: 'Service Unavailable',
          });
        case '2':
          throw new ServerError('twirp', 'sip request timed out', 499, 'canceled');
        case '4':
          throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
        default:
          return { sipCallId: `SCL_${room}` };
      }
    },
    createDispatch: async () => ({}),
    listParticipants: async (room) =>
      outcome(dialled.get(room)) === '3'
        ? [{ identity: CALLEE_IDENTITY, kind: SIP_KIND }]
        : [
            { identity: CALLEE_IDENTITY, kind: SIP_KIND },
            { identity: 'agent-AJ_fuzz', kind: AGENT_KIND },
          ],
  };
}

export type FuzzTarget = Readonly<{
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  close: () => Promise<void>;
}>;

/**
 * Starts the app; `apiToken` undefined starts it as dispatch runs without
 * DISPATCH_API_TOKEN (every bearer route refused).
 *
 * @example
 * const target = await startFuzzTarget({ apiToken: 'fuzz-token-0123456789' });
 * await fetch(`${target.url}/healthz`); // 200
 * await target.close();
 */
export async function startFuzzTarget(
  opts: Readonly<{ apiToken: string | undefined }>,
): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-fuzz-'));
  const store = await openSqliteStore(join(dir, 'dispatch.db'));
  const lk = fakeLiveKitCalls();
  const app = createApp({
    status: () => ({ provisioned: true, lastError: undefined }),
    store,
    apiToken: opts.apiToken,
    metrics: createDispatchMetrics({ defaultMetrics: false }),
    livekitWebhook: {
      apiKey: 'devkey',
      apiSecret: 'fuzz-webhook-secret-0123456789',
      deleteRoom: async () => {},
    },
    outboundCalls: {
      routing: FUZZ_ROUTING,
      findTrunk: () => findOwnedOutboundTrunk(lk),
      placeCall: placeCallWith(lk, { agentJoinTimeoutMs: 20, pollMs: 5 }),
    },
    callRecords: { webhooks: ['crm'] },
  });
  const port = await freePort();
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
