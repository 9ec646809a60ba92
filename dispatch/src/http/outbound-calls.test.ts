import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { parseDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { parseRouting } from '../../../contracts/routing.ts';
import type { PlaceCall, PlaceCallRequest, PlaceCallResult } from '../outbound/place-call.ts';
import type { Store } from '../store/store.ts';
import { createApp } from './app.ts';
import { createDispatchMetrics } from './metrics.ts';
import { outboundCalls, type OutboundCallsDeps } from './outbound-calls.ts';

const OUTBOUND = `outboundTrunk:
  name: genesys-out
  address: acme.byoc.mypurecloud.com
  numbers: ['+18005550199', '+18005550100']
`;
const routingYaml = (outbound: string) => `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: genesys-byoc, allowedAddresses: ['198.51.100.0/24'] }
${outbound}queues:
  general: { target: 'sip:+18005550150@byoc.example' }
  billing: { target: 'sip:+18005550151@byoc.example' }
routes:
  - name: main
    numbers: ['+18005550100']
    persona: triage
    humanQueue: general
    metadata: { brand: acme, reason: inbound }
  - { name: closed, numbers: ['+18005550101'], persona: after-hours, humanQueue: billing }
`;
const ROUTING = parseRouting(routingYaml(OUTBOUND), 'test.yaml');
const TO = '+15551234567';
const ANSWERED: PlaceCallResult = { status: 'answered', sipCallId: 'SCL_abc123' };

function router(
  result: PlaceCallResult = ANSWERED,
  overrides: Partial<OutboundCallsDeps> = {},
): { app: ReturnType<typeof outboundCalls>; placeCall: ReturnType<typeof vi.fn<PlaceCall>> } {
  const placeCall = vi.fn<PlaceCall>(async () => result);
  const app = outboundCalls({
    routing: ROUTING,
    findTrunk: async () => 'ST_owned',
    placeCall,
    roomSuffix: () => 'abc123',
    ...overrides,
  });
  return { app, placeCall };
}

const post = (app: { request: ReturnType<typeof outboundCalls>['request'] }, body: unknown) =>
  app.request('/v1/calls', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The single request the fake placeCall received. */
function placed(placeCall: ReturnType<typeof vi.fn<PlaceCall>>): PlaceCallRequest {
  expect(placeCall).toHaveBeenCalledTimes(1);
  const req = placeCall.mock.calls[0]?.[0];
  if (!req) throw new Error('placeCall was not called');
  return req;
}

let stdout: MockInstance<typeof process.stdout.write>;
const logText = () => stdout.mock.calls.map(([chunk]) => String(chunk)).join('');
const logLines = () =>
  logText()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /v1/calls: request validation', () => {
  it('refuses a body that is not JSON', async () => {
    const { app, placeCall } = router();
    const res = await post(app, '{"to":');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_json' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it.each([
    ['no number', { route: 'main' }, 'to:'],
    ['no route', { to: TO }, 'route:'],
    ['a number without +', { to: '15551234567', route: 'main' }, 'to: must be an E.164 number'],
    ['a number starting +0', { to: '+0551234567', route: 'main' }, 'to: must be an E.164'],
    ['a too long number', { to: '+1555123456789012', route: 'main' }, 'to: must be an E.164'],
    ['a SIP URI', { to: 'sip:+15551234567@evil.example', route: 'main' }, 'to:'],
    ['an upper-case route', { to: TO, route: 'Main' }, 'route:'],
    ['an unknown field', { to: TO, route: 'main', trunkId: 'ST_x' }, 'trunkId'],
    ['ringSeconds below 5', { to: TO, route: 'main', ringSeconds: 4 }, 'ringSeconds:'],
    ['ringSeconds above 75', { to: TO, route: 'main', ringSeconds: 76 }, 'ringSeconds:'],
    ['fractional ringSeconds', { to: TO, route: 'main', ringSeconds: 12.5 }, 'ringSeconds:'],
    ['ringSeconds as text', { to: TO, route: 'main', ringSeconds: '30' }, 'ringSeconds:'],
    ['a context key in capitals', { to: TO, route: 'main', context: { Tier: 'x' } }, 'context'],
    ['a context key with -', { to: TO, route: 'main', context: { 'a-b': 'x' } }, 'context'],
    ['a numeric context value', { to: TO, route: 'main', context: { tier: 1 } }, 'context.tier'],
    [
      'a context value over 200 characters',
      { to: TO, route: 'main', context: { note: 'x'.repeat(201) } },
      'context.note',
    ],
    [
      'more than 20 context keys',
      {
        to: TO,
        route: 'main',
        context: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])),
      },
      'context: must have at most 20 keys',
    ],
    ['a JSON array', [TO], '(body)'],
  ])('is 400 for %s', async (_label, body, problem) => {
    const { app, placeCall } = router();
    const res = await post(app, body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; problems: string[] };
    expect(json.error).toBe('invalid_request');
    expect(json.problems.join('\n')).toContain(problem);
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('accepts 20 context keys of 200 characters', async () => {
    const { app, placeCall } = router();
    const context = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`key_${i}`, 'v'.repeat(200)]),
    );
    const res = await post(app, { to: TO, route: 'main', context });
    expect(res.status).toBe(201);
    expect(parseDispatchMetadata(placed(placeCall).metadata).values).toMatchObject(context);
  });

  it('is 413 for a body over 16 KiB', async () => {
    const { app, placeCall } = router();
    const res = await post(app, { to: TO, route: 'main', pad: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(placeCall).not.toHaveBeenCalled();
  });
});

describe('POST /v1/calls: routing file checks', () => {
  it('is 422 for a route the routing file does not have', async () => {
    const { app, placeCall } = router();
    const res = await post(app, { to: TO, route: 'nope' });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: 'unknown_route', route: 'nope' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('is 422 for a persona no route names', async () => {
    const { app, placeCall } = router();
    const res = await post(app, { to: TO, route: 'main', persona: 'self-service' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: 'persona_not_allowed' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('is 422 for a caller id that is not on the outbound trunk', async () => {
    const { app, placeCall } = router();
    const res = await post(app, { to: TO, route: 'main', fromNumber: '+18005550111' });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: 'from_number_not_on_trunk' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('is 409 when the routing file has no outboundTrunk', async () => {
    const { app, placeCall } = router(ANSWERED, {
      routing: parseRouting(routingYaml(''), 'test.yaml'),
    });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'outbound_not_configured' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('is 409 when mounted without LiveKit wiring', async () => {
    const res = await post(outboundCalls(undefined), { to: TO, route: 'main' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'outbound_not_configured' });
  });

  it('is 409 while the outbound trunk is not provisioned', async () => {
    const { app, placeCall } = router(ANSWERED, { findTrunk: async () => undefined });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'outbound_trunk_not_provisioned' });
    expect(placeCall).not.toHaveBeenCalled();
  });

  it('is 503 when LiveKit cannot list the trunks', async () => {
    const { app, placeCall } = router(ANSWERED, {
      findTrunk: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:7880');
      },
    });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'livekit_unavailable' });
    expect(placeCall).not.toHaveBeenCalled();
  });
});

describe('POST /v1/calls: placing the call', () => {
  it("answers 201 and dials with the route's persona, queue and values", async () => {
    const { app, placeCall } = router();
    const res = await post(app, {
      to: TO,
      route: 'main',
      context: { reason: 'renewal', tier: 'gold' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      id: 'out-main-abc123',
      room: 'out-main-abc123',
      sipCallId: 'SCL_abc123',
      status: 'answered',
    });
    const req = placed(placeCall);
    expect(req).toEqual({
      room: 'out-main-abc123',
      trunkId: 'ST_owned',
      to: TO,
      fromNumber: undefined,
      ringSeconds: 30,
      agentName: 'genesys-voice-agent',
      metadata: expect.any(String),
    });
    // Context values go over the route's own metadata.
    expect(parseDispatchMetadata(req.metadata)).toEqual({
      v: 1,
      route: 'main',
      persona: 'triage',
      humanQueue: 'general',
      values: { brand: 'acme', reason: 'renewal', tier: 'gold' },
      direction: 'outbound',
    });
  });

  it("takes another route's persona, the caller id and the ring time asked for", async () => {
    const { app, placeCall } = router();
    const res = await post(app, {
      to: TO,
      route: 'main',
      persona: 'after-hours',
      fromNumber: '+18005550100',
      ringSeconds: 12,
    });
    expect(res.status).toBe(201);
    const req = placed(placeCall);
    expect(req).toMatchObject({ fromNumber: '+18005550100', ringSeconds: 12 });
    expect(parseDispatchMetadata(req.metadata)).toMatchObject({
      route: 'main',
      persona: 'after-hours',
      humanQueue: 'general',
    });
  });

  it('names rooms out-<route>-<random>, a new one per call', async () => {
    const placeCall = vi.fn<PlaceCall>(async () => ANSWERED);
    const app = outboundCalls({ routing: ROUTING, findTrunk: async () => 'ST_owned', placeCall });
    await post(app, { to: TO, route: 'closed' });
    await post(app, { to: TO, route: 'closed' });
    const rooms = placeCall.mock.calls.map(([req]) => req.room);
    expect(rooms[0]).toMatch(/^out-closed-[0-9a-f]{12}$/);
    expect(rooms[1]).toMatch(/^out-closed-[0-9a-f]{12}$/);
    expect(rooms[0]).not.toBe(rooms[1]);
  });

  it.each([
    [486, 'Busy Here', 409],
    [600, 'Busy Everywhere', 409],
    [603, 'Decline', 409],
    [404, 'Not Found', 502],
    [480, 'Temporarily Unavailable', 502],
    [503, 'Service Unavailable', 502],
  ])('maps SIP %i %s to HTTP %i', async (sipStatus, reason, http) => {
    const { app } = router({ status: 'failed', sipStatus, reason });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(http);
    expect(await res.json()).toEqual({ error: 'call_failed', sipStatus, reason });
  });

  it('is 504 no_answer when the phone rang out', async () => {
    const { app } = router({ status: 'no_answer' });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: 'no_answer' });
  });

  it('is 503 agent_unavailable when no agent joined the answered call', async () => {
    const { app } = router({ status: 'agent_unavailable' });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'agent_unavailable' });
  });

  it('is 503 livekit_unavailable, without details, when LiveKit failed', async () => {
    const { app } = router({ status: 'error', message: 'twirp error unknown: no SIP service' });
    const res = await post(app, { to: TO, route: 'main' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'livekit_unavailable' });
  });

  it('logs static messages with ids, the number masked, context values never', async () => {
    const { app } = router({ status: 'failed', sipStatus: 486, reason: 'Busy Here' });
    await post(app, { to: TO, route: 'main', context: { secret_note: 'PIN 4321' } });
    expect(logText()).not.toContain(TO);
    expect(logText()).not.toContain('4321');
    const lines = logLines();
    expect(lines.map((l) => l['msg'])).toEqual(['placing outbound call', 'outbound call failed']);
    expect(lines[0]).toMatchObject({
      room: 'out-main-abc123',
      route: 'main',
      persona: 'triage',
      trunkId: 'ST_owned',
      to: '+•••••••••67',
      contextKeys: ['secret_note'],
    });
    expect(lines[1]).toMatchObject({ room: 'out-main-abc123', sipStatus: 486 });
  });
});

describe('POST /v1/calls in the dispatch app', () => {
  const appWith = (apiToken: string | undefined) =>
    createApp({
      status: () => ({ provisioned: true, lastError: undefined }),
      // The route never touches the store.
      store: {} as Store,
      apiToken,
      metrics: createDispatchMetrics({ defaultMetrics: false }),
      livekitWebhook: { apiKey: 'devkey', apiSecret: 'secret-0123456789', deleteRoom: vi.fn() },
      outboundCalls: {
        routing: ROUTING,
        findTrunk: async () => 'ST_owned',
        placeCall: async () => ANSWERED,
      },
    });
  const call = (app: ReturnType<typeof createApp>, authorization?: string) =>
    app.request('/v1/calls', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ to: TO, route: 'main' }),
    });

  it('needs the bearer token', async () => {
    const app = appWith('token-0123456789abcdef');
    expect((await call(app)).status).toBe(401);
    expect((await call(app, 'Bearer wrong-token-0123456789')).status).toBe(401);
    expect((await call(app, 'Bearer token-0123456789abcdef')).status).toBe(201);
  });

  it('is refused when no token is configured', async () => {
    const res = await call(appWith(undefined), 'Bearer anything');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'api_token_not_configured' });
  });
});
