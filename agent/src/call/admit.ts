/**
 * The first stage of a call: who is calling, on which route, answered by
 * which persona. Reads the job's dispatch metadata, waits for the SIP caller
 * Genesys sent, parses the Genesys context from its attributes, lets a
 * matching route take the call over, and picks the persona. Anything missing
 * or malformed throws {@link AdmissionError}: the call is then rescued, never
 * left in silence. A caller who hung up before the agent joined throws
 * {@link NoCallerError}: the job just ends.
 */
import { ParticipantKind, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { callContextFromAttributes, type CallContext } from '../../../contracts/call-context.ts';
import {
  parseDispatchMetadata,
  type DispatchMetadata,
} from '../../../contracts/dispatch-metadata.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { Persona } from '../personas/persona.ts';
import { selectPersona, type PersonaChoice } from '../personas/registry.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { CallIds } from './call-recorder.ts';
import { routeCall } from './route.ts';
import type { CallTasks } from './tasks.ts';

/** The agent job a call runs in. */
export type CallJob = Readonly<{ id: string; metadata: string; roomName: string | undefined }>;

/** The SIP caller as the call needs it (a RemoteParticipant in production). */
export type Caller = Pick<RemoteParticipant, 'identity' | 'attributes' | 'kind'>;

/** The part of the room the admission reads: who is in it, and who joins. */
export interface CallerRoom {
  readonly remoteParticipants: ReadonlyMap<string, Caller>;
  on(event: RoomEvent.ParticipantConnected, listener: (p: Caller) => void): unknown;
  off(event: RoomEvent.ParticipantConnected, listener: (p: Caller) => void): unknown;
  on(
    event: RoomEvent.ParticipantAttributesChanged,
    listener: (changed: Record<string, string>, p: Caller) => void,
  ): unknown;
  off(
    event: RoomEvent.ParticipantAttributesChanged,
    listener: (changed: Record<string, string>, p: Caller) => void,
  ): unknown;
}

export type Admission = Readonly<{
  /** The job's route, persona and queue, after a `match` route took the call over. */
  meta: DispatchMetadata;
  /** The route of the dialled number (the dispatch rule's), when a match changed it. */
  numberRoute: string | undefined;
  call: CallContext;
  caller: Caller;
  persona: Persona;
  personaSource: PersonaChoice['source'];
  /** A persona that was asked for but is not registered. */
  unknownPersona: string | undefined;
  /** The call's correlation ids: every log line, the trace and the record carry them. */
  ids: CallIds;
}>;

/**
 * How long an agent that joined waits for the SIP caller. LiveKit sends the
 * agent to a room the caller is already in (their INVITE's join created it
 * and so launched the agent; an outbound callee answered before dispatch
 * sent the agent; a recovered call's caller stayed on), and livekit-server
 * lists every participant, joining ones too, in the agent's join response.
 * A caller missing when the agent joins has hung up while it rang: the job
 * ends soon, as a job waiting here holds one of the worker's places
 * (worker/admission.ts) that a caller still ringing could take.
 */
export const SIP_CALLER_WAIT_MS = 1000;

/** No SIP caller in the room: they hung up before the agent joined, and nobody is left to rescue. */
export class NoCallerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoCallerError';
  }
}

/** The call could not be admitted: what is wrong, and the route when it was known. */
export class AdmissionError extends Error {
  readonly route: string | undefined;
  readonly caller: Caller | undefined;
  constructor(message: string, route: string | undefined, caller: Caller | undefined) {
    super(message);
    this.name = 'AdmissionError';
    this.route = route;
    this.caller = caller;
  }
}

/**
 * @example
 * const admission = await admitCall(job, ctx.room, config.routing, tasks);
 * admission.persona.name; // 'triage'
 */
export async function admitCall(
  job: CallJob,
  room: CallerRoom,
  routing: RoutingConfig,
  tasks: Pick<CallTasks, 'signal'>,
): Promise<Admission> {
  let numberMeta: DispatchMetadata | undefined;
  let caller: Caller | undefined;
  try {
    // The caller first: whatever else is wrong, they can still be handed to a person.
    caller = await waitForSipCaller(room, tasks.signal);
    numberMeta = parseDispatchMetadata(job.metadata);
    const call = callContextFromAttributes(caller.attributes, routing.transfer.uuiOptions);
    // A route matching the flow's X- header or UUI field takes over from the number's route.
    const meta = routeCall(routing, numberMeta, call);
    const choice = selectPersona(meta, call);
    return Object.freeze({
      meta,
      numberRoute: meta.route === numberMeta.route ? undefined : numberMeta.route,
      call,
      caller,
      persona: choice.persona,
      personaSource: choice.source,
      unknownPersona: choice.unknown,
      ids: Object.freeze({
        room: job.roomName ?? '',
        jobId: job.id,
        sipCallId: call.sipCallId,
        genesysConversationId: call.conversationId,
        route: meta.route,
        persona: choice.persona.name,
      }),
    });
  } catch (err) {
    if (err instanceof NoCallerError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new AdmissionError(message, numberMeta?.route, caller);
  }
}

/**
 * The SIP participant of the room: the caller Genesys sent (or the callee of
 * an outbound call). Other participants (agents, a monitoring client) are
 * passed over; waits for the SIP one to join for `timeoutMs`
 * ({@link SIP_CALLER_WAIT_MS}), or until `signal` aborts, then rejects with
 * {@link NoCallerError}.
 *
 * @example
 * const caller = await waitForSipCaller(ctx.room, tasks.signal);
 */
export function waitForSipCaller(
  room: CallerRoom,
  signal: AbortSignal,
  timeoutMs: number = SIP_CALLER_WAIT_MS,
): Promise<Caller> {
  for (const p of room.remoteParticipants.values()) {
    if (p.kind === ParticipantKind.SIP) return Promise.resolve(p);
  }
  return new Promise((resolve, reject) => {
    const onJoined = (p: Caller) => {
      if (p.kind !== ParticipantKind.SIP) return;
      done();
      resolve(p);
    };
    const onAbort = () => {
      done();
      reject(new NoCallerError('the call ended before a SIP caller joined'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new NoCallerError(`no SIP caller in the room within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      room.off(RoomEvent.ParticipantConnected, onJoined);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) return onAbort();
    room.on(RoomEvent.ParticipantConnected, onJoined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The admission's log lines: the call answered (caller data masked by the
 * call logger), and what was odd about it.
 *
 * @example
 * logAdmission(log, admission);
 */
export function logAdmission(log: CallLogger, admitted: Admission): void {
  const { call } = admitted;
  if (admitted.unknownPersona)
    log.warn(
      { requested: admitted.unknownPersona, source: admitted.personaSource },
      'unknown persona requested',
    );
  if (call.uuiProblem) log.warn({ problem: call.uuiProblem }, 'ignoring unusable UUI from Genesys');
  log.info(
    {
      ani: call.ani,
      dnis: call.dnis,
      uuiFields: call.uui?.fields,
      xHeaders: call.xHeaders,
      personaSource: admitted.personaSource,
      ...(admitted.numberRoute ? { numberRoute: admitted.numberRoute } : {}),
    },
    'call answered',
  );
}
