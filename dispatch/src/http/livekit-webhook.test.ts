import { createHash, randomUUID } from 'node:crypto';
import { ParticipantInfo, Room, WebhookEvent } from '@livekit/protocol';
import { AccessToken, ServerError } from 'livekit-server-sdk';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { DISPATCH_METRICS } from '../../../contracts/metrics.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { createApp } from './app.ts';
import { bridgeLegLeft, LIVEKIT_WEBHOOK_PATH, roomDeleter } from './livekit-webhook.ts';
import { createDispatchMetrics } from './metrics.ts';

const TOKEN = 'test-token-0123456789';
const API_KEY = 'devkey';
const API_SECRET = 'webhook-secret-0123456789';
const ROOM = 'call-main-_+15550001111_abcd';
const BRIDGE = JSON.stringify({ bridge: { caller: 'sip_ab12', human: 'human-SCL_x' } });

async function webhookApp(
  options: { apiToken?: string | undefined; deleteRoom?: (room: string) => Promise<void> } = {
    apiToken: TOKEN,
  },
) {
  const deleteRoom = vi.fn(options.deleteRoom ?? (async () => {}));
  const metrics = createDispatchMetrics({ defaultMetrics: false });
  const app = createApp({
    status: () => ({ provisioned: true, lastError: undefined }),
    store: await openSqliteStore(':memory:'),
    apiToken: options.apiToken,
    metrics,
    livekitWebhook: { apiKey: API_KEY, apiSecret: API_SECRET, deleteRoom },
  });
  return { app, deleteRoom, metrics };
}

/** A webhook body as livekit-server sends it: the protobuf JSON of a WebhookEvent. */
function eventBody(
  event: string,
  identity = 'sip_ab12',
  metadata = BRIDGE,
  room: string = ROOM,
): string {
  return new WebhookEvent({
    id: `EV_${randomUUID()}`,
    event,
    createdAt: 1_760_000_000n,
    room: new Room({ sid: 'RM_test', name: room, metadata }),
    participant: new ParticipantInfo({ sid: 'PA_test', identity }),
  }).toJsonString();
}

/** The Authorization livekit-server signs a webhook with: a JWT carrying the body's sha256. */
async function signature(
  body: string,
  opts: { key?: string; secret?: string; ttl?: number | string } = {},
): Promise<string> {
  const token = new AccessToken(opts.key ?? API_KEY, opts.secret ?? API_SECRET, {
    ttl: opts.ttl ?? 60,
  });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

async function post(
  app: Awaited<ReturnType<typeof webhookApp>>['app'],
  body: string,
  authorization: string | undefined,
  path = LIVEKIT_WEBHOOK_PATH,
) {
  return app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/webhook+json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body,
  });
}

let stdout: MockInstance<typeof process.stdout.write>;
/** Dispatch's JSON log lines written during the test. */
const logLines = () =>
  stdout.mock.calls
    .map(([chunk]) => String(chunk))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /v1/livekit/webhook', () => {
  it.each([
    ['caller', 'sip_ab12'],
    ['human', 'human-SCL_x'],
  ])('deletes a bridged room when its %s leaves, and logs it', async (leg, identity) => {
    const { app, deleteRoom } = await webhookApp();
    const body = eventBody('participant_left', identity);
    const res = await post(app, body, await signature(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(deleteRoom).toHaveBeenCalledTimes(1);
    expect(deleteRoom).toHaveBeenCalledWith(ROOM);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'info',
        service: 'dispatch',
        msg: 'closing bridged room after a leg left',
        room: ROOM,
        identity,
        leg,
      }),
    );
  });

  it.each([
    ['the agent leaves the bridge', eventBody('participant_left', 'agent-AJ_1')],
    ['a leg joins', eventBody('participant_joined', 'sip_ab12')],
    ['the room is not a bridge', eventBody('participant_left', 'sip_ab12', '')],
    ['the metadata is not JSON', eventBody('participant_left', 'sip_ab12', '{"bridge":')],
    [
      'the metadata is another shape',
      eventBody('participant_left', 'sip_ab12', JSON.stringify({ bridge: { caller: 'sip_ab12' } })),
    ],
    ['the room finishes', eventBody('room_finished', 'sip_ab12')],
  ])('answers 200 and deletes nothing when %s', async (_label, body) => {
    const { app, deleteRoom } = await webhookApp();
    const res = await post(app, body, await signature(body));
    expect(res.status).toBe(200);
    expect(deleteRoom).not.toHaveBeenCalled();
  });

  it('needs no bearer token, and works when dispatch has none configured', async () => {
    const body = eventBody('participant_left');
    for (const apiToken of [TOKEN, undefined]) {
      const { app, deleteRoom } = await webhookApp({ apiToken });
      const res = await post(app, body, await signature(body));
      expect(res.status).toBe(200);
      expect(deleteRoom).toHaveBeenCalledWith(ROOM);
    }
  });

  it('does not take the bearer token in place of a signature', async () => {
    const { app, deleteRoom } = await webhookApp();
    const body = eventBody('participant_left');
    const res = await post(app, body, `Bearer ${TOKEN}`);
    expect(res.status).toBe(401);
    expect(deleteRoom).not.toHaveBeenCalled();
  });

  it.each([
    ['no Authorization header', async () => undefined],
    ['an empty Authorization header', async () => ''],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
    [
      'a token signed with another secret',
      async (b: string) => signature(b, { secret: 'x'.repeat(32) }),
    ],
    ['a token issued for another key', async (b: string) => signature(b, { key: 'otherkey' })],
    ['a token for another body', async (b: string) => signature(`${b} `)],
    ['an expired token', async (b: string) => signature(b, { ttl: '-5 minutes' })],
  ])('answers 401 to %s and does nothing', async (_label, sign) => {
    const { app, deleteRoom, metrics } = await webhookApp();
    const body = eventBody('participant_left');
    const res = await post(app, body, await sign(body));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized' });
    expect(deleteRoom).not.toHaveBeenCalled();
    expect((await metrics.livekitWebhooks.get()).values).toEqual([]);
  });

  it('answers 401, not 400, to an unsigned body that does not parse', async () => {
    const { app } = await webhookApp();
    expect((await post(app, '{not json', undefined)).status).toBe(401);
    expect((await post(app, '{not json', await signature('{other'))).status).toBe(401);
  });

  it.each([
    ['text that is not JSON', '{not json'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['an event name that is not a string', '{"event": 5}'],
  ])('answers 400 to a signed body holding %s', async (_label, body) => {
    const { app, deleteRoom } = await webhookApp();
    const res = await post(app, body, await signature(body));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_event' });
    expect(deleteRoom).not.toHaveBeenCalled();
  });

  it('answers 502 and logs when the room cannot be deleted', async () => {
    const { app } = await webhookApp({
      apiToken: TOKEN,
      deleteRoom: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
      },
    });
    const body = eventBody('participant_left');
    const res = await post(app, body, await signature(body));
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'delete_room_failed' });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'closing bridged room failed',
        room: ROOM,
        error: 'connect ECONNREFUSED 127.0.0.1:7880',
      }),
    );
  });

  it('acts once on an event sent again (a replay of a signed webhook), and again after a failure', async () => {
    let failing = true;
    const { app, deleteRoom } = await webhookApp({
      apiToken: TOKEN,
      deleteRoom: async () => {
        if (failing) throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
      },
    });
    const body = eventBody('participant_left');
    // The first delivery failed (502): LiveKit's retry of the same event must act.
    expect((await post(app, body, await signature(body))).status).toBe(502);
    failing = false;
    const retry = await post(app, body, await signature(body));
    expect(await retry.json()).toEqual({ status: 'ok' });
    // Handled now: the same signed request, replayed, acts on nothing.
    const replay = await post(app, body, await signature(body));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate' });
    expect(deleteRoom).toHaveBeenCalledTimes(2);
    // A different event for the same room still acts.
    const next = eventBody('participant_left');
    expect(await (await post(app, next, await signature(next))).json()).toEqual({ status: 'ok' });
    expect(deleteRoom).toHaveBeenCalledTimes(3);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const { app } = await webhookApp();
    const res = await post(app, 'x'.repeat(1024 * 1024 + 1), undefined);
    expect(res.status).toBe(413);
  });

  it('counts signed events by name, and unknown names as other', async () => {
    const { app, metrics } = await webhookApp();
    for (const body of [
      eventBody('participant_left'),
      eventBody('participant_joined'),
      eventBody('participant_joined'),
      eventBody('agent_job_started'),
    ]) {
      expect((await post(app, body, await signature(body))).status).toBe(200);
    }
    await post(app, eventBody('room_started'), undefined);
    const text = await metrics.registry.metrics();
    const total = DISPATCH_METRICS.livekitWebhooksTotal;
    expect(text).toContain(`${total}{event="participant_left"} 1`);
    expect(text).toContain(`${total}{event="participant_joined"} 2`);
    expect(text).toContain(`${total}{event="other"} 1`);
    expect(text).not.toContain('room_started');
    expect(text).not.toContain('agent_job_started');
  });
});

describe('the /v1 bearer token around the webhook', () => {
  it.each([
    ['GET', LIVEKIT_WEBHOOK_PATH],
    ['POST', `${LIVEKIT_WEBHOOK_PATH}/`],
    ['POST', `${LIVEKIT_WEBHOOK_PATH}/extra`],
    ['POST', `${LIVEKIT_WEBHOOK_PATH}s`],
    ['POST', '/v1/livekit'],
    ['POST', '/v1/callbacks'],
    ['GET', '/v1/context/anything'],
  ])('still guards %s %s', async (method, path) => {
    const { app } = await webhookApp();
    const body = eventBody('participant_left');
    const res = await app.request(path, {
      method,
      headers: { authorization: await signature(body) },
      ...(method === 'GET' ? {} : { body }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized' });
  });
});

describe('bridgeLegLeft', () => {
  const event = (body: string) => WebhookEvent.fromJsonString(body);

  it('names the room, the identity and which leg left', () => {
    expect(bridgeLegLeft(event(eventBody('participant_left', 'human-SCL_x')))).toEqual({
      room: ROOM,
      identity: 'human-SCL_x',
      leg: 'human',
    });
  });

  it('ignores an event without a room name or a participant', () => {
    expect(bridgeLegLeft(event(eventBody('participant_left', 'sip_ab12', BRIDGE, '')))).toBe(
      undefined,
    );
    expect(
      bridgeLegLeft(
        new WebhookEvent({
          event: 'participant_left',
          room: new Room({ name: ROOM, metadata: BRIDGE }),
        }),
      ),
    ).toBe(undefined);
  });
});

describe('roomDeleter', () => {
  it('deletes the room through the client', async () => {
    const client = { deleteRoom: vi.fn(async () => {}) };
    await roomDeleter(client)(ROOM);
    expect(client.deleteRoom).toHaveBeenCalledWith(ROOM);
  });

  it('treats a room already gone as deleted', async () => {
    const deleteRoom = roomDeleter({
      deleteRoom: async () => {
        throw new ServerError('not_found', 'room not found', 404, 'not_found');
      },
    });
    await expect(deleteRoom(ROOM)).resolves.toBeUndefined();
  });

  it('passes any other failure on', async () => {
    const deleteRoom = roomDeleter({
      deleteRoom: async () => {
        throw new ServerError('internal', 'redis down', 500, 'internal');
      },
    });
    await expect(deleteRoom(ROOM)).rejects.toThrow('redis down');
  });
});
