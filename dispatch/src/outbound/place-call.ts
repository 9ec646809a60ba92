/**
 * The LiveKit side of an outbound call: a room, the callee dialled into it
 * through the owned outbound trunk (waiting for the answer), then the agent
 * dispatched into it.
 *
 * The agent is dispatched once the callee has answered, not with the room:
 * the agent starts its session, greeting and silence timers as soon as the
 * SIP participant is in the room, and livekit-sip adds an outbound callee
 * while it is still dialling. Dispatched first, the agent would greet a
 * ringing phone (the callee hears none of it; livekit-sip only forwards room
 * audio after the answer) and count the ringing as caller silence.
 */
import {
  AgentDispatchClient,
  RoomServiceClient,
  ServerError,
  SipCallError,
  SipClient,
  type CreateSipParticipantOptions,
} from 'livekit-server-sdk';
import { maskPhone } from '../../../contracts/redact.ts';
import { log } from '../log.ts';
import { OWNED_KEYS, readOwnership } from '../../../contracts/ownership.ts';

/** The outbound trunk's key in its ownership metadata (see provision/desired.ts). */
export const OUTBOUND_TRUNK_KEY = OWNED_KEYS.outboundTrunk;

/** Identity of the dialled party in the call's room. */
export const CALLEE_IDENTITY = 'callee';

/** ParticipantInfo.Kind.AGENT in LiveKit's protocol. */
const AGENT_KIND = 4;

/** The LiveKit calls an outbound call makes; {@link liveKitCalls} builds them from the SDK. */
export interface LiveKitCalls {
  listSipOutboundTrunk(): Promise<readonly Readonly<{ sipTrunkId: string; metadata: string }>[]>;
  createRoom(
    options: Readonly<{ name: string; emptyTimeout: number; departureTimeout: number }>,
  ): Promise<unknown>;
  deleteRoom(room: string): Promise<void>;
  listParticipants(room: string): Promise<readonly Readonly<{ identity: string; kind: number }>[]>;
  createSipParticipant(
    trunkId: string,
    to: string,
    room: string,
    options: CreateSipParticipantOptions,
  ): Promise<Readonly<{ sipCallId: string }>>;
  createDispatch(
    room: string,
    agentName: string,
    options: Readonly<{ metadata: string }>,
  ): Promise<unknown>;
}

export type PlaceCallRequest = Readonly<{
  /** Room to create; must not exist yet. */
  room: string;
  trunkId: string;
  /** E.164 number to dial. Never logged unmasked. */
  to: string;
  /** Caller id; undefined presents the trunk's first number. */
  fromNumber: string | undefined;
  ringSeconds: number;
  agentName: string;
  /** Job metadata for the agent (encodeDispatchMetadata). */
  metadata: string;
}>;

export type PlaceCallResult =
  | Readonly<{ status: 'answered'; sipCallId: string }>
  /** The far end answered the INVITE with a final failure status. */
  | Readonly<{ status: 'failed'; sipStatus: number; reason: string }>
  | Readonly<{ status: 'no_answer' }>
  /** Answered, but no agent joined in time: the call was hung up. */
  | Readonly<{ status: 'agent_unavailable' }>
  /** LiveKit could not create the room or place the call. */
  | Readonly<{ status: 'error'; message: string }>;

export type PlaceCall = (req: PlaceCallRequest) => Promise<PlaceCallResult>;

export type PlaceCallOptions = Readonly<{
  /** How long an agent has to join the room after the answer. */
  agentJoinTimeoutMs: number;
  /** How often the room is checked for the agent meanwhile. */
  pollMs: number;
}>;

const DEFAULTS: PlaceCallOptions = { agentJoinTimeoutMs: 15_000, pollMs: 200 };

/** Room lifetime before anyone joins, and after the last one leaves. */
const EMPTY_TIMEOUT_SECONDS = 60;
const DEPARTURE_TIMEOUT_SECONDS = 10;

/**
 * Places one outbound call and resolves once it is answered and the agent has
 * joined, or has failed; on any failure the room is deleted (which also hangs
 * up a callee who answered).
 *
 * @example
 * const place = placeCallWith(liveKitCalls(config.livekit));
 * const result = await place({ room: 'out-main-3f9a', trunkId, to: '+15551234567',
 *   fromNumber: undefined, ringSeconds: 30, agentName: 'genesys-voice-agent', metadata });
 * if (result.status === 'answered') console.log(result.sipCallId);
 */
export function placeCallWith(lk: LiveKitCalls, options: PlaceCallOptions = DEFAULTS): PlaceCall {
  return async (req) => {
    const ids = { room: req.room, trunkId: req.trunkId, to: maskPhone(req.to) };
    try {
      await lk.createRoom({
        name: req.room,
        emptyTimeout: EMPTY_TIMEOUT_SECONDS,
        departureTimeout: DEPARTURE_TIMEOUT_SECONDS,
      });
    } catch (err) {
      return { status: 'error', message: errorText(err, req.to) };
    }

    let sipCallId: string;
    try {
      const callee = await lk.createSipParticipant(req.trunkId, req.to, req.room, {
        participantIdentity: CALLEE_IDENTITY,
        participantName: CALLEE_IDENTITY,
        waitUntilAnswered: true,
        ringingTimeout: req.ringSeconds,
        timeout: req.ringSeconds + 5,
        ...(req.fromNumber === undefined ? {} : { fromNumber: req.fromNumber }),
      });
      sipCallId = callee.sipCallId;
    } catch (err) {
      await removeRoom(lk, req.room);
      return dialFailure(err, req.to);
    }

    try {
      await lk.createDispatch(req.room, req.agentName, { metadata: req.metadata });
      if (await agentJoined(lk, req.room, options)) return { status: 'answered', sipCallId };
      log.warn('no agent joined the outbound call; hanging up', { ...ids, sipCallId });
    } catch (err) {
      log.warn('agent dispatch failed; hanging up', {
        ...ids,
        sipCallId,
        error: errorText(err, req.to),
      });
    }
    await removeRoom(lk, req.room);
    return { status: 'agent_unavailable' };
  };
}

/**
 * The id of the outbound trunk dispatch provisioned (ownership key
 * `outbound-trunk`), or undefined when there is none yet.
 *
 * @example
 * const trunkId = await findOwnedOutboundTrunk(liveKitCalls(config.livekit));
 */
export async function findOwnedOutboundTrunk(
  lk: Pick<LiveKitCalls, 'listSipOutboundTrunk'>,
): Promise<string | undefined> {
  const trunks = await lk.listSipOutboundTrunk();
  return trunks.find((t) => readOwnership(t.metadata)?.key === OUTBOUND_TRUNK_KEY)?.sipTrunkId;
}

/**
 * What a failed `createSipParticipant` means: a SIP status from the far end,
 * the ring timeout (livekit-sip cancels the INVITE and reports `canceled`),
 * or LiveKit failing to place the call (livekit-sip shutting down included).
 *
 * @param to the dialled number, masked wherever the error text repeats it
 * @example
 * dialFailure(busyError); // { status: 'failed', sipStatus: 486, reason: 'Busy Here' }
 */
export function dialFailure(err: unknown, to = ''): PlaceCallResult {
  if (err instanceof SipCallError && err.sipStatusCode !== undefined) {
    return { status: 'failed', sipStatus: err.sipStatusCode, reason: err.sipStatus ?? '' };
  }
  const message = errorText(err, to);
  const timedOut =
    (err instanceof ServerError &&
      (err.code === 'canceled' || err.code === 'deadline_exceeded') &&
      !/shutting down/i.test(message)) ||
    (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) ||
    /sip request timed out/i.test(message);
  return timedOut ? { status: 'no_answer' } : { status: 'error', message };
}

/**
 * The SDK clients behind {@link LiveKitCalls}.
 *
 * @example
 * const lk = liveKitCalls({ apiUrl: 'http://livekit:7880', apiKey, apiSecret });
 */
export function liveKitCalls(
  creds: Readonly<{ apiUrl: string; apiKey: string; apiSecret: string }>,
): LiveKitCalls {
  const { apiUrl, apiKey, apiSecret } = creds;
  const sip = new SipClient(apiUrl, apiKey, apiSecret);
  const rooms = new RoomServiceClient(apiUrl, apiKey, apiSecret);
  const agents = new AgentDispatchClient(apiUrl, apiKey, apiSecret);
  return {
    listSipOutboundTrunk: () => sip.listSipOutboundTrunk(),
    createRoom: (options) => rooms.createRoom(options),
    deleteRoom: (room) => rooms.deleteRoom(room),
    listParticipants: (room) => rooms.listParticipants(room),
    createSipParticipant: (trunkId, to, room, options) =>
      sip.createSipParticipant(trunkId, to, room, options),
    createDispatch: (room, agentName, options) => agents.createDispatch(room, agentName, options),
  };
}

async function agentJoined(
  lk: LiveKitCalls,
  room: string,
  { agentJoinTimeoutMs, pollMs }: PlaceCallOptions,
): Promise<boolean> {
  const deadline = Date.now() + agentJoinTimeoutMs;
  for (;;) {
    const participants = await lk.listParticipants(room);
    if (participants.some((p) => p.kind === AGENT_KIND)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Best effort: a room that stays is closed by its empty timeout anyway. */
async function removeRoom(lk: LiveKitCalls, room: string): Promise<void> {
  try {
    await lk.deleteRoom(room);
  } catch (err) {
    if (err instanceof ServerError && (err.code === 'not_found' || err.status === 404)) return;
    log.warn('deleting the outbound call room failed', { room, error: errorText(err, '') });
  }
}

/** Error text for logs and results, with the called number (if it appears) masked. */
function errorText(err: unknown, to: string): string {
  const text = err instanceof Error ? err.message : String(err);
  const digits = to.replace(/\D/g, '');
  return digits.length < 4 ? text : text.replaceAll(digits, maskPhone(digits));
}
