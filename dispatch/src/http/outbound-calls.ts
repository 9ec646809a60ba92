/**
 * POST /v1/calls: an AI agent calls someone through the Genesys outbound
 * trunk, with a route's persona and a few context values, and the request
 * waits until the call is answered (201) or has failed.
 *
 * | outcome                                   | status | body                                   |
 * |-------------------------------------------|--------|----------------------------------------|
 * | answered, agent in the room               | 201    | `{ id, room, sipCallId, status }`      |
 * | busy or declined (486, 600, 603)          | 409    | `{ error: 'call_failed', sipStatus, reason }` |
 * | any other SIP failure status              | 502    | `{ error: 'call_failed', sipStatus, reason }` |
 * | not answered within `ringSeconds`         | 504    | `{ error: 'no_answer' }`               |
 * | answered, but no agent joined             | 503    | `{ error: 'agent_unavailable' }`       |
 * | LiveKit unreachable or refused            | 503    | `{ error: 'livekit_unavailable' }`     |
 * | no outboundTrunk / trunk not provisioned  | 409    | `{ error: 'outbound_not_configured' \| 'outbound_trunk_not_provisioned' }` |
 * | unknown route, persona or caller id       | 422    | `{ error: 'unknown_route' \| 'persona_not_allowed' \| 'from_number_not_on_trunk' }` |
 * | malformed body                            | 400    | `{ error: 'invalid_json' \| 'invalid_request', problems? }` |
 *
 * Busy and decline are the callee's answer (try later), hence 409; other
 * statuses point at the trunk or the carrier, hence 502.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { encodeDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import { newOutboundCallSchema } from '../../../contracts/outbound-call.ts';
import { maskPhone } from '../../../contracts/redact.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { log } from '../log.ts';
import type { PlaceCall, PlaceCallResult } from '../outbound/place-call.ts';
import { bodyLimit, jsonBody } from './json-body.ts';

export const OUTBOUND_CALLS_PATH = '/v1/calls';

/** SIP statuses that are the callee refusing (busy, decline): 409 rather than 502. */
export const CALLEE_REFUSALS: ReadonlySet<number> = new Set([486, 600, 603]);

export type OutboundCallsDeps = Readonly<{
  routing: RoutingConfig;
  /** The owned outbound trunk's id; undefined when it is not provisioned (yet). */
  findTrunk: () => Promise<string | undefined>;
  placeCall: PlaceCall;
  /** Random suffix of room names; tests pin it. */
  roomSuffix?: () => string;
}>;

const BODY_MAX_BYTES = 16 * 1024;

/**
 * The router; mount it behind the /v1 bearer check. Without deps (no LiveKit
 * wiring) every call is refused as not configured.
 *
 * @example
 * const calls = liveKitCalls(config.livekit);
 * app.route('/', outboundCalls({
 *   routing: config.routing,
 *   findTrunk: () => findOwnedOutboundTrunk(calls),
 *   placeCall: placeCallWith(calls),
 * }));
 */
export function outboundCalls(deps: OutboundCallsDeps | undefined): Hono {
  const router = new Hono();
  router.post(OUTBOUND_CALLS_PATH, bodyLimit(BODY_MAX_BYTES), async (c) => {
    const req = await jsonBody(c, newOutboundCallSchema);
    if (req instanceof Response) return req;
    const trunk = deps?.routing.outboundTrunk;
    if (!deps || !trunk) {
      return c.json(
        {
          error: 'outbound_not_configured',
          message: 'the routing file has no outboundTrunk',
        },
        409,
      );
    }
    const { routing } = deps;
    const route = routing.routes.find((r) => r.name === req.route);
    if (!route) return c.json({ error: 'unknown_route', route: req.route }, 422);
    const persona = req.persona ?? route.persona;
    if (!routing.routes.some((r) => r.persona === persona)) {
      return c.json(
        {
          error: 'persona_not_allowed',
          message: 'persona must be one that a route of the routing file names',
        },
        422,
      );
    }
    if (req.fromNumber !== undefined && !trunk.numbers.includes(req.fromNumber)) {
      return c.json(
        {
          error: 'from_number_not_on_trunk',
          message: 'fromNumber must be one of outboundTrunk.numbers',
        },
        422,
      );
    }

    let trunkId: string | undefined;
    try {
      trunkId = await deps.findTrunk();
    } catch (err) {
      log.error('listing outbound trunks failed', { error: (err as Error).message });
      return c.json({ error: 'livekit_unavailable' }, 503);
    }
    if (!trunkId) {
      return c.json(
        {
          error: 'outbound_trunk_not_provisioned',
          message: 'dispatch has not provisioned the outbound trunk yet; see /readyz',
        },
        409,
      );
    }

    const room = `out-${route.name}-${(deps.roomSuffix ?? randomSuffix)()}`;
    const ids: CallIds = { room, route: route.name, persona, trunkId, to: maskPhone(req.to) };
    log.info('placing outbound call', {
      ...ids,
      ringSeconds: req.ringSeconds,
      contextKeys: Object.keys(req.context ?? {}),
    });
    const result = await deps.placeCall({
      room,
      trunkId,
      to: req.to,
      fromNumber: req.fromNumber,
      ringSeconds: req.ringSeconds,
      agentName: routing.agentName,
      metadata: encodeDispatchMetadata({
        v: 1,
        route: route.name,
        persona,
        humanQueue: route.humanQueue,
        values: { ...route.metadata, ...req.context },
        direction: 'outbound',
      }),
    });
    return respond(c, result, ids);
  });
  return router;
}

type CallIds = Readonly<{
  room: string;
  route: string;
  persona: string;
  trunkId: string;
  to: string;
}>;

function respond(c: Context, result: PlaceCallResult, ids: CallIds) {
  switch (result.status) {
    case 'answered':
      log.info('outbound call answered', { ...ids, sipCallId: result.sipCallId });
      return c.json(
        { id: ids.room, room: ids.room, sipCallId: result.sipCallId, status: 'answered' },
        201,
      );
    case 'failed': {
      log.info('outbound call failed', {
        ...ids,
        sipStatus: result.sipStatus,
        reason: result.reason,
      });
      const body = { error: 'call_failed', sipStatus: result.sipStatus, reason: result.reason };
      return CALLEE_REFUSALS.has(result.sipStatus) ? c.json(body, 409) : c.json(body, 502);
    }
    case 'no_answer':
      log.info('outbound call not answered', ids);
      return c.json({ error: 'no_answer' }, 504);
    case 'agent_unavailable':
      log.warn('outbound call answered but no agent joined', ids);
      return c.json({ error: 'agent_unavailable' }, 503);
    case 'error':
      log.error('outbound call could not be placed', { ...ids, error: result.message });
      return c.json({ error: 'livekit_unavailable' }, 503);
  }
}

/** 12 hex characters: room names stay unique without carrying the number. */
const randomSuffix = () => randomBytes(6).toString('hex');
