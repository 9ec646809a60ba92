/**
 * What a call needs from the outside world, as narrow ports: the LiveKit
 * room, the agent session and its voice, the SIP bridge, dispatch, and
 * observability. call/answer.ts binds them to LiveKit and the environment;
 * unit tests bind them to fakes and drive a whole call through call/call.ts.
 */
import type { voice } from '@livekit/agents';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { DispatchClient } from '../dispatch-client.ts';
import type { DispatchSpool } from '../dispatch-spool.ts';
import type { DtmfRoom } from '../dtmf/room-dtmf.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { MetricsSink } from '../observability/metric-events.ts';
import type { CallTrace } from '../observability/tracing.ts';
import type { DataActionClient } from '../personas/data-actions.ts';
import type { HandoffPolicy } from '../policy/handoff-policy.ts';
import type { ReferClient } from '../transfer/refer.ts';
import type { ConsultRunner } from '../transfer/warm/runner.ts';
import type { Admission, CallJob, CallerRoom } from './admit.ts';
import type { CallIds } from './call-recorder.ts';
import type { Greeting } from './greeting.ts';
import type { AnswererRoom } from './yield-to-dispatch.ts';

/** The call's room: who is in it, their keys and departures, and the agent's own attributes. */
export type CallRoom = CallerRoom &
  DtmfRoom &
  AnswererRoom &
  Readonly<{
    name: string | undefined;
    /** Joins the room, audio only. */
    connect: () => Promise<void>;
    /** Sets the agent's participant attributes (dispatch reads them when the agent leaves). */
    publishAttributes: (attributes: Record<string, string>) => Promise<void>;
    /** Deletes the room: every participant, the caller's SIP leg included, is gone. */
    deleteRoom: () => Promise<void>;
    /**
     * Plays the hold chime on a track of the agent's own until stopped. livekit-sip
     * answers a caller only once it has a track to subscribe to.
     */
    hold: () => Promise<Readonly<{ stop: () => Promise<void> }>>;
  }>;

/** What each piece of the call's voice runs on, for logs and metric labels. */
export type VoiceDescription = Readonly<{ stt: string; llm: string; tts: string; turn: string }>;

/** A failed cloud voice provider whose offline stand-in took over. */
export type ProviderFailure = Readonly<{ piece: string; provider: string }>;

/** The agent session of one call, with the voice it runs on. */
export type CallSession = Pick<
  voice.AgentSession,
  'on' | 'off' | 'say' | 'interrupt' | 'history' | 'userState'
> &
  Readonly<{
    /** Starts the session with the persona's agent, listening to the caller only. */
    start: (agent: voice.Agent, callerIdentity: string) => Promise<void>;
    close: () => Promise<void>;
    /** Speaks the greeting (through the greeting cache), not interruptible. */
    greet: (greeting: Greeting) => void;
    /** Plays the provider-failure apology recorded at call start, outside the session. */
    apologize: () => Promise<void>;
    describe: VoiceDescription;
    /** Opens the cloud LLM's connection ahead of the first reply. */
    prewarm: () => void;
    /** Calls `listener` when a cloud provider fails over; returns the unsubscribe function. */
    onProviderUnavailable: (listener: (failure: ProviderFailure) => void) => () => void;
  }>;

export type CallPorts = Readonly<{
  job: CallJob;
  routing: RoutingConfig;
  room: CallRoom;
  /** Builds the session and voice for the admitted call, under its handoff policy. */
  openSession: (admission: Admission, policy: HandoffPolicy) => CallSession;
  sip: ReferClient;
  /** Warm transfers for this call (queues with `consult`); none means blind REFER only. */
  consult?: (
    admission: Admission,
    say: (text: string) => Promise<void>,
    log: CallLogger,
  ) => ConsultRunner;
  dispatch: Pick<DispatchClient, 'createContext'>;
  spool: Pick<DispatchSpool, 'send'>;
  data: DataActionClient;
  metrics: MetricsSink;
  /** The call's logger (every line carries its ids); debug lines are optional. */
  logger: (ids: CallIds) => CallLogger & Readonly<{ debug?: (f: object, m: string) => void }>;
  /** The job process's logger, before the call is known. */
  jobLog: CallLogger;
  startTrace: (ids: CallIds) => CallTrace;
  /** Ends the job (the process leaves the room and exits). */
  shutdown: (reason: string) => void;
  /** Told once the caller has been greeted (the job's entry returns then). */
  conversing?: () => void;
  now?: () => number;
}>;
