/**
 * LiveKit's webhooks into dispatch against a real livekit-server, configured
 * the way the stack harness configures it (webhook.urls at dispatch's port,
 * signed with the stack's key): when a leg of a bridged room leaves, dispatch
 * deletes the room and the other leg is disconnected; the agent leaving does
 * nothing. Dispatch's HTTP app runs in this process so the test can watch it.
 */
import { serve, type ServerType } from '@hono/node-server';
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DISPATCH_METRICS } from '../contracts/metrics.ts';
import { createApp } from '../dispatch/src/http/app.ts';
import { roomDeleter } from '../dispatch/src/http/livekit-webhook.ts';
import { createDispatchMetrics, type DispatchMetrics } from '../dispatch/src/http/metrics.ts';
import { openSqliteStore } from '../dispatch/src/store/sqlite.ts';
import { startStack, type Stack } from './harness/stack.ts';

const ROOM = 'call-main-webhook-test';
const CALLER = 'sip_caller-leg';
const HUMAN = 'human-SCL_test';
const AGENT = 'agent-AJ_test';

describe('LiveKit webhooks into dispatch', () => {
  let stack: Stack;
  let rooms: RoomServiceClient;
  let server: ServerType;
  let metrics: DispatchMetrics;
  const deleted: string[] = [];
  const joined: Room[] = [];

  const join = async (identity: string): Promise<Room> => {
    const token = new AccessToken(stack.livekit.apiKey, stack.livekit.apiSecret, { identity });
    token.addGrant({ room: ROOM, roomJoin: true });
    const room = new Room();
    await room.connect(stack.livekit.wsUrl, await token.toJwt(), {
      autoSubscribe: false,
      dynacast: false,
    });
    joined.push(room);
    return room;
  };
  const roomNames = async () => (await rooms.listRooms()).map((r) => r.name);

  beforeAll(async () => {
    // Slot 5 is the reconcile test's; stack test files run one at a time.
    stack = await startStack({ slot: 5, name: 'test-livekit-webhook', livekitOnly: true });
    rooms = new RoomServiceClient(
      stack.livekit.httpUrl,
      stack.livekit.apiKey,
      stack.livekit.apiSecret,
    );
    metrics = createDispatchMetrics({ defaultMetrics: false });
    const deleteRoom = roomDeleter(rooms);
    const app = createApp({
      status: () => ({ provisioned: true, lastError: undefined }),
      store: await openSqliteStore(':memory:'),
      apiToken: 'webhook-test-token-0123456789',
      metrics,
      livekitWebhook: {
        apiKey: stack.livekit.apiKey,
        apiSecret: stack.livekit.apiSecret,
        deleteRoom: async (name) => {
          deleted.push(name);
          await deleteRoom(name);
        },
      },
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: stack.ports.dispatch }, () =>
        resolve(),
      );
    });
  });

  afterAll(async () => {
    for (const room of joined) await room.disconnect().catch(() => {});
    await dispose();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.stop();
  });

  it('closes a bridged room when the caller hangs up, not when the agent leaves', async () => {
    await rooms.createRoom({
      name: ROOM,
      metadata: JSON.stringify({ bridge: { caller: CALLER, human: HUMAN } }),
    });
    const caller = await join(CALLER);
    const human = await join(HUMAN);
    const agent = await join(AGENT);
    const humanDisconnected = new Promise<void>((resolve) =>
      human.once(RoomEvent.Disconnected, () => resolve()),
    );

    await agent.disconnect();
    // The agent's participant_left arrives, counted, and leaves the bridge up.
    await vi.waitFor(
      async () => {
        const text = await metrics.registry.metrics();
        expect(text).toContain(
          `${DISPATCH_METRICS.livekitWebhooksTotal}{event="participant_left"} 1`,
        );
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(deleted).toEqual([]);
    expect(await roomNames()).toContain(ROOM);

    await caller.disconnect();
    await humanDisconnected;
    expect(deleted[0]).toBe(ROOM);
    await vi.waitFor(async () => expect(await roomNames()).not.toContain(ROOM), {
      timeout: 10_000,
      interval: 200,
    });
    // Deleting the room disconnects the human, whose own participant_left
    // finds the room already gone: still a success, not a 502.
    await vi.waitFor(() => expect(deleted).toEqual([ROOM, ROOM]), { timeout: 10_000 });
    const text = await metrics.registry.metrics();
    const webhookRequests = text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith(`${DISPATCH_METRICS.httpRequestsTotal}{`) &&
          l.includes('/v1/livekit/webhook'),
      );
    expect(webhookRequests.length).toBeGreaterThan(0);
    for (const line of webhookRequests) expect(line).toContain('status="200"');
  });
});
