/**
 * FAKE room, session, SIP bridge and dispatch for unit tests of a whole call
 * (call/call.ts): they record what the call does to them and let a test play
 * the caller (join, press keys, speak a turn, go quiet, hang up) and the
 * pipeline (fail, report metrics). Not for production: call/answer.ts binds
 * the real LiveKit room and AgentSession.
 */
import { EventEmitter } from 'node:events';
import { llm, voice } from '@livekit/agents';
import { ParticipantKind, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { parseRouting, type RoutingConfig } from '../../../../contracts/routing.ts';
import { createDataActionClient } from '../../personas/data-actions.ts';
import type { Caller } from '../admit.ts';
import type { CallPorts, CallRoom, CallSession, ProviderFailure } from '../ports.ts';

export const CONVERSATION_ID = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

/** Attributes livekit-sip gives an inbound Genesys caller (numbers hidden by the dispatch rule). */
export const CALLER_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  'sip.callID': 'SCL_fake0001',
  'sip.callStatus': 'active',
  'sip.trunkID': 'ST_fake',
  'genesys.from': '<sip:+15559876543@10.0.0.1>',
  'genesys.to': '<sip:+18005550100@10.0.0.2>',
  'genesys.conversationId': CONVERSATION_ID,
  'genesys.uui': `04${Buffer.from('account=42').toString('hex')};encoding=hex`,
});

/** A routing file with one route, its queue (target and an alternate) and a route policy override. */
export function fakeRouting(handoff: string = '{}'): RoutingConfig {
  return parseRouting(
    `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ["127.0.0.1"] }
queues:
  general:
    target: "sip:+18005550150@byoc.example"
    alternates: ["sip:+18005550151@byoc.example"]
  billing: { target: "sip:+18005550160@byoc.example" }
routes:
  - { name: main, numbers: ["+18005550100"], persona: triage, humanQueue: general, handoff: ${handoff} }
`,
    'fake.yaml',
  );
}

export const MAIN_JOB_METADATA = JSON.stringify({
  v: 1,
  route: 'main',
  persona: 'triage',
  humanQueue: 'general',
  values: {},
});

/** FAKE LiveKit room: participants, their DTMF and departures, the agent's attributes. */
export class FakeRoom extends EventEmitter implements CallRoom {
  readonly name = 'call-main-_4321_fake';
  readonly remoteParticipants = new Map<string, Caller>();
  readonly attributes: Record<string, string>[] = [];
  deleted = 0;
  connected = false;

  async connect(): Promise<void> {
    this.connected = true;
  }

  async publishAttributes(attributes: Record<string, string>): Promise<void> {
    this.attributes.push({ ...attributes });
  }

  async deleteRoom(): Promise<void> {
    this.deleted++;
  }

  held = 0;
  async hold(): Promise<{ stop: () => Promise<void> }> {
    this.held++;
    return { stop: async () => void this.held-- };
  }

  /** The published `gva.call` phases, in order. */
  phases(): string[] {
    return this.attributes.map((a) => a['gva.call'] ?? '');
  }

  join(identity: string, kind: ParticipantKind, attributes: Record<string, string> = {}): Caller {
    const p = { identity, kind, attributes } as Caller;
    this.remoteParticipants.set(identity, p);
    this.emit(RoomEvent.ParticipantConnected, p);
    return p;
  }

  /** livekit-sip updates a participant's attributes (e.g. `sip.callStatus`). */
  update(identity: string, changed: Record<string, string>): void {
    const p = this.remoteParticipants.get(identity);
    if (!p) return;
    Object.assign(p.attributes, changed);
    this.emit(RoomEvent.ParticipantAttributesChanged, changed, p);
  }

  press(identity: string, digit: string): void {
    this.emit(RoomEvent.DtmfReceived, 0, digit, { identity } as RemoteParticipant);
  }

  leave(identity: string): void {
    const p = this.remoteParticipants.get(identity);
    this.remoteParticipants.delete(identity);
    this.emit(RoomEvent.ParticipantDisconnected, p ?? ({ identity } as RemoteParticipant));
  }

  /** Listeners still attached to the room (the call must leave none behind). */
  listening(): number {
    return this.eventNames().reduce((n, e) => n + this.listenerCount(e), 0);
  }
}

/** FAKE agent session: records what the agent says and plays the caller's side of the session. */
export class FakeSession extends EventEmitter {
  readonly said: string[] = [];
  readonly greeted: string[] = [];
  apologies = 0;
  interrupts = 0;
  agent: voice.Agent | undefined;
  userState: voice.UserState = 'listening';
  readonly history = llm.ChatContext.empty();
  failStart: Error | undefined;
  /** Set while the session closes: `say` then throws, as agents-js 1.9's does. */
  closing = false;
  #providerListeners: ((f: ProviderFailure) => void)[] = [];

  port(): CallSession {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    return {
      on: this.on.bind(this) as unknown as CallSession['on'],
      off: this.off.bind(this) as unknown as CallSession['off'],
      say: (text: string) => {
        if (this.closing) throw new Error('AgentSession is closing, cannot use say()');
        this.said.push(text);
        return { waitForPlayout: async () => undefined } as voice.SpeechHandle;
      },
      interrupt: () => {
        this.interrupts++;
        return undefined as never;
      },
      history: this.history,
      get userState() {
        return fake.userState;
      },
      start: async (agent) => {
        if (this.failStart) throw this.failStart;
        this.agent = agent;
      },
      close: async () => this.close(),
      greet: (greeting) => void this.greeted.push(greeting.text),
      apologize: async () => void this.apologies++,
      describe: {
        stt: 'offline/pocketsphinx',
        llm: 'offline/rules-engine',
        tts: 'offline/espeak-ng',
        turn: 'livekit/turn-detector-v1-mini',
      },
      prewarm: () => undefined,
      onProviderUnavailable: (listener) => {
        this.#providerListeners.push(listener);
        return () => {
          this.#providerListeners = this.#providerListeners.filter((l) => l !== listener);
        };
      },
    };
  }

  /** The caller finishes a turn; the persona agent (real code) hears it as the session would deliver it. */
  async callerTurn(text: string, confidence = 0.95): Promise<void> {
    const message = llm.ChatMessage.create({
      role: 'user',
      content: text,
      transcriptConfidence: confidence,
    });
    await this.agent?.onUserTurnCompleted(llm.ChatContext.empty(), message).catch(() => undefined);
  }

  away(): void {
    this.userState = 'away';
    this.emit(voice.AgentSessionEventTypes.UserStateChanged, {
      type: 'user_state_changed',
      oldState: 'listening',
      newState: 'away',
    });
  }

  providerFails(failure: ProviderFailure): void {
    for (const l of this.#providerListeners) l(failure);
  }

  close(error?: Error): void {
    this.emit(voice.AgentSessionEventTypes.Close, {
      type: 'close',
      reason: error ? 'error' : 'participant_disconnected',
      error: error ?? null,
    });
  }

  listening(): number {
    return (
      this.eventNames().reduce((n, e) => n + this.listenerCount(e), 0) +
      this.#providerListeners.length
    );
  }
}

/** FAKE livekit-sip REFER: each call answers with the next scripted result (default: completed). */
export class FakeSip {
  readonly refers: { identity: string; referTo: string; headers: Record<string, string> }[] = [];
  readonly script: (Error | 'completed')[] = [];

  transferSipParticipant = async (
    _room: string,
    identity: string,
    referTo: string,
    opts?: { headers?: Record<string, string> },
  ): Promise<void> => {
    this.refers.push({ identity, referTo, headers: { ...opts?.headers } });
    const next = this.script.shift() ?? 'completed';
    if (next !== 'completed') throw next;
  };
}

/** An error shaped like livekit-server-sdk's for a REFER Genesys refused. */
export function referRefused(status = 486): Error {
  return Object.assign(new Error(`SIP call failed: ${status}`), {
    name: 'SipCallError',
    sipStatusCode: status,
  });
}

export type LogLine = Readonly<{ level: string; msg: string; fields: object }>;

/** Every fake together, as the call's ports, with what each recorded. */
export function fakeCall(opts: { routing?: RoutingConfig; metadata?: string } = {}) {
  const room = new FakeRoom();
  const session = new FakeSession();
  const sip = new FakeSip();
  const lines: LogLine[] = [];
  const events: string[] = [];
  const records: unknown[] = [];
  const observed: { metric: string; labels: Record<string, string>; seconds: number }[] = [];
  const counted: { metric: string; labels: Record<string, string> }[] = [];
  const logger = {
    info: (fields: object, msg: string) => void lines.push({ level: 'info', msg, fields }),
    warn: (fields: object, msg: string) => void lines.push({ level: 'warn', msg, fields }),
    error: (fields: object, msg: string) => void lines.push({ level: 'error', msg, fields }),
  };
  let sessionOpened = 0;
  const ports: CallPorts = {
    job: { id: 'AJ_fake', metadata: opts.metadata ?? MAIN_JOB_METADATA, roomName: room.name },
    routing: opts.routing ?? fakeRouting(),
    room,
    openSession: () => {
      sessionOpened++;
      return session.port();
    },
    sip,
    dispatch: { createContext: async () => ({ id: 'ctx-1' }) },
    spool: {
      send: async (path, payload) => {
        events.push(`stored ${path}`);
        records.push(payload);
        return { id: `rec-${records.length}` };
      },
    },
    data: createDataActionClient({ baseUrl: undefined, token: undefined }),
    metrics: {
      observe: (metric, labels, seconds) =>
        void observed.push({ metric, labels: { ...labels }, seconds }),
      inc: (metric, labels) => void counted.push({ metric, labels: { ...labels } }),
    },
    logger: () => logger,
    jobLog: logger,
    startTrace: () => ({
      within: (fn) => fn(),
      end: async (outcome) => void events.push(`trace ${outcome}`),
    }),
    shutdown: (reason) => void events.push(`shutdown ${reason}`),
  };
  return {
    ports,
    room,
    session,
    sip,
    lines,
    events,
    records,
    observed,
    counted,
    opened: () => sessionOpened,
    /** The caller Genesys sent joins the room. */
    callerJoins: () => room.join('sip_caller', ParticipantKind.SIP, { ...CALLER_ATTRIBUTES }),
    logged: (msg: string) => lines.filter((l) => l.msg === msg),
  };
}

/** Resolves once `check` holds, polling the event loop (no wall-clock assertion). */
export async function until(check: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}
