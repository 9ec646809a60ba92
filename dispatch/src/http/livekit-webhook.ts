/**
 * POST /v1/livekit/webhook: livekit-server's webhooks. LiveKit cannot send the
 * /v1 bearer token; instead it signs each request (a JWT made with its API
 * secret, carrying the body's sha256, in the Authorization header), which
 * WebhookReceiver checks against the raw body text.
 *
 * What dispatch does with them: when one leg of a bridged room (the caller or
 * the human, see contracts/bridge.ts) leaves, it deletes the room, so that
 * livekit-sip hangs up the other leg; when an agent leaves a call undecided,
 * recovery sends another (dispatch/src/recovery/); when livekit-sip refused a
 * caller no agent took, it stores that call's record (dispatch/src/admission/).
 */
import type { WebhookEvent } from '@livekit/protocol';
import type { Handler } from 'hono';
import { ServerError, WebhookReceiver } from 'livekit-server-sdk';
import { parseBridgeMetadata } from '../../../contracts/bridge.ts';
import { log } from '../log.ts';
import { webhookEventLabel, type DispatchMetrics } from './metrics.ts';
import { handledEvents } from './webhook-replay.ts';

/** Where livekit-server's `webhook.urls` must point (on dispatch's HTTP port). */
export const LIVEKIT_WEBHOOK_PATH = '/v1/livekit/webhook';

/** Deletes a LiveKit room, which disconnects everyone in it; resolves once it is gone. */
export type DeleteRoom = (roomName: string) => Promise<void>;

export type LiveKitWebhookDeps = Readonly<{
  /** The key livekit-server signs webhooks with (its `webhook.api_key`) and that key's secret. */
  apiKey: string;
  apiSecret: string;
  deleteRoom: DeleteRoom;
  /**
   * Called with every event after the response is decided; sends a new agent
   * when one left a call undecided (dispatch/src/recovery/). Its failures are
   * logged, never answered to LiveKit.
   */
  recover?: (event: WebhookEvent) => Promise<unknown>;
  /** Called with every event too; records a call no agent took (dispatch/src/admission/). */
  recordRefused?: (event: WebhookEvent) => Promise<unknown>;
  /** Called with every event too; hands a caller no agent took to its queue (dispatch/src/admission/). */
  handOn?: (event: WebhookEvent) => Promise<unknown>;
}>;

/** A leg of a bridged room that left it. */
export type BridgeLegLeft = Readonly<{ room: string; identity: string; leg: 'caller' | 'human' }>;

/**
 * The handler for {@link LIVEKIT_WEBHOOK_PATH}: 401 for a missing or bad
 * signature, 400 for a signed body that is not a webhook event, 200 otherwise
 * (`duplicate`, acting on nothing, for an event id already handled).
 *
 * @example
 * app.post(LIVEKIT_WEBHOOK_PATH, livekitWebhook({ apiKey, apiSecret, deleteRoom }, metrics));
 */
export function livekitWebhook(deps: LiveKitWebhookDeps, metrics: DispatchMetrics): Handler {
  const receiver = new WebhookReceiver(deps.apiKey, deps.apiSecret);
  const events = handledEvents();
  return async (c) => {
    // The signature covers these exact bytes: never re-serialise the body.
    const body = await c.req.text();
    const received = await receive(receiver, body, c.req.header('authorization'));
    if (received === 401) return c.json({ error: 'unauthorized' }, 401);
    if (received === 400) return c.json({ error: 'invalid_event' }, 400);
    if (received.id && events.handled(received.id)) {
      log.warn('webhook event already handled; ignoring it', {
        id: received.id.slice(0, 64),
        event: webhookEventLabel(received.event),
      });
      return c.json({ status: 'duplicate' });
    }
    metrics.livekitWebhooks.inc({ event: webhookEventLabel(received.event) });

    const left = bridgeLegLeft(received);
    if (left) {
      log.info('closing bridged room after a leg left', { ...left });
      try {
        await deps.deleteRoom(left.room);
      } catch (err) {
        log.error('closing bridged room failed', {
          room: left.room,
          error: (err as Error).message,
        });
        return c.json({ error: 'delete_room_failed' }, 502);
      }
    }
    if (deps.recover && received.event === 'participant_left') {
      void deps.recover(received).catch((err: unknown) =>
        log.error('call recovery failed', {
          room: received.room?.name,
          error: (err as Error).message,
        }),
      );
    }
    if (deps.recordRefused && received.event === 'participant_left') {
      void deps.recordRefused(received).catch((err: unknown) =>
        log.error('refused call not recorded', {
          room: received.room?.name,
          error: (err as Error).message,
        }),
      );
    }
    if (deps.handOn && received.event === 'participant_joined') {
      void deps.handOn(received).catch((err: unknown) =>
        log.error('handing a caller no agent took to the queue failed', {
          room: received.room?.name,
          error: (err as Error).message,
        }),
      );
    }
    if (received.id) events.remember(received.id);
    return c.json({ status: 'ok' });
  };
}

/**
 * The leg that left when `event` is a participant leaving a bridged room as
 * its caller or human; undefined for every other event.
 *
 * @example
 * // room.metadata '{"bridge":{"caller":"sip_ab12","human":"human-SCL_x"}}', participant 'sip_ab12'
 * bridgeLegLeft(event); // { room: 'call-main-x', identity: 'sip_ab12', leg: 'caller' }
 */
export function bridgeLegLeft(event: WebhookEvent): BridgeLegLeft | undefined {
  if (event.event !== 'participant_left' || !event.room?.name || !event.participant) return;
  const bridge = parseBridgeMetadata(event.room.metadata)?.bridge;
  const identity = event.participant.identity;
  const leg =
    bridge?.caller === identity ? 'caller' : bridge?.human === identity ? 'human' : undefined;
  return leg && { room: event.room.name, identity, leg };
}

/**
 * A {@link DeleteRoom} through RoomServiceClient (or anything with its
 * `deleteRoom`) that treats a room already gone as deleted: deleting a bridge
 * disconnects its other leg, whose own participant_left comes next.
 *
 * @example
 * const deleteRoom = roomDeleter(new RoomServiceClient(apiUrl, apiKey, apiSecret));
 */
export function roomDeleter(client: Readonly<{ deleteRoom: DeleteRoom }>): DeleteRoom {
  return async (roomName) => {
    try {
      await client.deleteRoom(roomName);
    } catch (err) {
      if (err instanceof ServerError && (err.code === 'not_found' || err.status === 404)) return;
      throw err;
    }
  };
}

/**
 * Verifies and parses one request. WebhookReceiver checks the signature and
 * only then parses, throwing either way; a signed body that does not parse
 * fails exactly as parsing it alone does, which tells 400 from 401.
 */
async function receive(
  receiver: WebhookReceiver,
  body: string,
  authorization: string | undefined,
): Promise<WebhookEvent | 400 | 401> {
  try {
    return await receiver.receive(body, authorization);
  } catch (err) {
    const parseError = await receiver.receive(body, undefined, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    return sameError(err, parseError) ? 400 : 401;
  }
}

function sameError(a: unknown, b: unknown): boolean {
  return (
    a instanceof Error &&
    b instanceof Error &&
    a.constructor === b.constructor &&
    a.message === b.message
  );
}
