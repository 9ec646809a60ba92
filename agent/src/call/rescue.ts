/**
 * A call that failed before its conversation started (unreadable job
 * metadata, a participant without SIP basics, a crash while setting the call
 * up) must not leave the caller in silence. The agent hands the caller to the
 * route's human queue with reason `agent_failure`; when no REFER goes through
 * it names the route and leaves the call undecided, so dispatch's recovery
 * sends a replacement agent.
 */
import {
  ANONYMOUS_CALL,
  callContextFromAttributes,
  type CallContext,
} from '../../../contracts/call-context.ts';
import { routeOfCall } from '../../../contracts/call-route.ts';
import { AGENT_ATTRIBUTES, type AgentCallPhase } from '../../../contracts/recovery.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import { handoff } from '../transfer/handoff.ts';
import { ParticipantKind, RoomEvent } from '@livekit/rtc-node';
import { sipAttributes } from '../../../contracts/sip-attributes.ts';
import type { Caller, CallerRoom } from './admit.ts';
import type { CallPorts } from './ports.ts';

export type RescueRequest = Readonly<{
  /** Why the call could not go on. */
  problem: string;
  /** The route, when it was known. */
  route: string | undefined;
  caller: Caller | undefined;
}>;

/**
 * Never rejects. Resolves once the caller is handed over, or left for dispatch.
 *
 * @example
 * await rescueCall(ports, { problem: 'job metadata is not JSON', route: undefined, caller });
 */
export async function rescueCall(
  ports: Pick<CallPorts, 'routing' | 'room' | 'sip' | 'jobLog'>,
  req: RescueRequest,
): Promise<'transferred' | 'left_to_dispatch' | 'no_caller'> {
  const log = ports.jobLog;
  const caller = req.caller ?? sipCaller(ports.room.remoteParticipants);
  const route =
    ports.routing.routes.find((r) => r.name === req.route) ??
    routeOfCall(ports.routing, ports.room.name, caller?.attributes);
  log.error(
    { problem: req.problem, route: route?.name, caller: caller !== undefined },
    'call could not start; handing the caller to a person',
  );
  if (!caller) return 'no_caller';
  if (!route) {
    log.error({}, 'no route for this call: leaving it to dispatch');
    return 'left_to_dispatch';
  }
  const publish = (phase: AgentCallPhase) =>
    ports.room
      .publishAttributes({ [AGENT_ATTRIBUTES.phase]: phase, [AGENT_ATTRIBUTES.route]: route.name })
      .catch((err: unknown) => log.warn({ error: String(err) }, 'call phase not published'));
  await publish('transferring');
  // livekit-sip answers once it can subscribe to a track of ours, and refuses
  // to transfer a call it has not answered: the caller hears the hold chime.
  const hold = await ports.room.hold().catch(() => undefined);
  await callActive(ports.room, caller, ACTIVE_WAIT_MS);
  try {
    const result = await handoff(
      ports.sip,
      ports.routing,
      {
        room: ports.room.name ?? '',
        participantIdentity: caller.identity,
        queue: route.humanQueue,
        reason: 'agent_failure',
        call: bestEffortContext(caller.attributes, ports.routing),
        route: route.name,
      },
      (attempt) => log.info({ attempt }, 'transfer attempt finished'),
    );
    if (result.status === 'transferred') {
      await publish('transferred');
      return 'transferred';
    }
  } catch (err) {
    log.error({ error: String(err) }, 'transfer failed');
  } finally {
    await hold?.stop().catch(() => undefined);
  }
  // Undecided: dispatch sees this agent leave and sends another.
  await publish('conversing');
  return 'left_to_dispatch';
}

/** How long a rescue waits for livekit-sip to answer the caller before it tries anyway. */
const ACTIVE_WAIT_MS = 15_000;

/** Resolves once the caller's SIP call is up (`sip.callStatus: active`), or after `ms`. */
function callActive(room: CallerRoom, caller: Caller, ms: number): Promise<void> {
  const active = (p: Caller) => p.attributes[sipAttributes.callStatus] === 'active';
  if (active(caller)) return Promise.resolve();
  return new Promise((resolve) => {
    const onChanged = (_changed: Record<string, string>, p: Caller) => {
      if (p.identity === caller.identity && active(p)) done();
    };
    const timer = setTimeout(() => done(), ms);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantAttributesChanged, onChanged);
      resolve();
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onChanged);
  });
}

function sipCaller(participants: ReadonlyMap<string, Caller>): Caller | undefined {
  return [...participants.values()].find((p) => p.kind === ParticipantKind.SIP);
}

/** The caller's context for the UUI, or none when the attributes are unusable. */
function bestEffortContext(
  attributes: Readonly<Record<string, string>>,
  routing: RoutingConfig,
): CallContext {
  try {
    return callContextFromAttributes(attributes, routing.transfer.uuiOptions);
  } catch {
    return ANONYMOUS_CALL;
  }
}
