/**
 * Where a Genesys call enters the agent: one job = one call. Reads the route
 * from the dispatch metadata and the Genesys context from the SIP participant,
 * picks the persona, runs the voice pipeline, and hands the caller to a human
 * on DTMF 0 or when the persona transfers.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoSubscribe, voice, type JobContext, type VAD } from '@livekit/agents';
import { ParticipantKind, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import {
  encodeDispatchMetadata,
  parseDispatchMetadata,
} from '../../../contracts/dispatch-metadata.ts';
import type { CallOutcome } from '../../../contracts/call-outcome.ts';
import { AGENT_METRICS } from '../../../contracts/metrics.ts';
import { AGENT_ATTRIBUTES, type AgentCallPhase } from '../../../contracts/recovery.ts';
import { redactText } from '../../../contracts/redact.ts';
import { watchCallMetrics } from '../observability/call-metrics.ts';
import { useCallLogger } from '../observability/call-logger.ts';
import { metricLabel, udpMetricsSink } from '../observability/metrics-sink.ts';
import { startCallTrace, traceAttributes } from '../observability/tracing.ts';
import { uuiProtocolDiscriminator } from '../../../contracts/routing.ts';
import type { AgentConfig } from '../config.ts';
import { newCallRecordSchema, type NewCallRecord } from '../../../contracts/call-record.ts';
import { newCallbackSchema } from '../../../contracts/callbacks.ts';
import { createDispatchClient } from '../dispatch-client.ts';
import { createDispatchSpool, type DispatchSpool } from '../dispatch-spool.ts';
import { createCallRecorder } from './call-recorder.ts';
import { createPersonaAgent } from '../personas/agent.ts';
import { createDataActionClient } from '../personas/data-actions.ts';
import { selectPersona } from '../personas/registry.ts';
import { DiskGreetingStore } from '../voice/greeting-cache-store.ts';
import { GreetingCache } from '../voice/greeting-cache.ts';
import { createVoiceStack } from '../voice/stack.ts';
import { callContextFromAttributes, type CallContext } from '../../../contracts/call-context.ts';
import { createCallKeypad } from './keypad.ts';
import { createProviderFailover } from './provider-failover.ts';
import { createCallRuntime } from './runtime.ts';
import { createHandoffMonitor } from '../policy/handoff-monitor.ts';
import { resolveHandoffPolicy } from '../policy/handoff-policy.ts';
import { watchExits } from './exits.ts';
import { routeCall } from './route.ts';
import { createTransferControl } from './transfers.ts';
import { createConsultRunner } from './warm-transfer.ts';

const greetings = new GreetingCache({
  maxBytes: 8 << 20,
  store: new DiskGreetingStore({
    dir: join(tmpdir(), 'genesys-voice-agent-greetings'),
    maxBytes: 32 << 20,
  }),
});

export async function answerCall<ProcessData>(
  ctx: JobContext<ProcessData>,
  config: AgentConfig,
  vad: VAD,
): Promise<void> {
  const ruleMeta = parseDispatchMetadata(ctx.job.metadata);

  await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
  const caller = await waitForSipCaller(ctx);
  const pd = uuiProtocolDiscriminator(config.routing);
  const call = callContextFromAttributes(
    caller.attributes,
    pd === undefined ? {} : { protocolDiscriminator: pd },
  );
  // A route matching the flow's X- header or UUI field takes over from the number's route.
  const meta = routeCall(config.routing, ruleMeta, call);
  const choice = selectPersona(meta, call);
  const persona = choice.persona;
  const ids = {
    genesysConversationId: call.conversationId,
    sipCallId: call.sipCallId,
    room: ctx.job.room?.name,
    jobId: ctx.job.id,
    persona: persona.name,
    route: meta.route,
  };
  // From here every log line of this process carries the ids, personal data masked.
  const callLog = useCallLogger(ids);
  // Dispatch reads the phase when this agent leaves: anything but a decision means a crash.
  const publishPhase = (phase: AgentCallPhase) => {
    void ctx.room.localParticipant
      ?.setAttributes({
        [AGENT_ATTRIBUTES.phase]: phase,
        [AGENT_ATTRIBUTES.route]: meta.route,
        [AGENT_ATTRIBUTES.metadata]: encodeDispatchMetadata(meta),
      })
      .catch((err: unknown) => callLog.warn({ error: String(err) }, 'call phase not published'));
  };
  const metrics = udpMetricsSink(config.metrics.jobTarget);
  metrics.inc(AGENT_METRICS.callsTotal, { persona: persona.name, route: meta.route });
  const callTrace = startCallTrace(config.tracing, traceAttributes(ids));
  if (choice.unknown)
    callLog.warn({ requested: choice.unknown, source: choice.source }, 'unknown persona requested');
  if (call.uuiProblem)
    callLog.warn({ problem: call.uuiProblem }, 'ignoring unusable UUI from Genesys');
  callLog.info(
    {
      ani: call.ani,
      dnis: call.dnis,
      uuiFields: call.uui?.fields,
      xHeaders: call.xHeaders,
      personaSource: choice.source,
      ...(meta.route !== ruleMeta.route ? { numberRoute: ruleMeta.route } : {}),
    },
    'call answered',
  );

  const dispatch = createDispatchClient(config.dispatch);
  const spool = createDispatchSpool(dispatch, config.spoolDir);
  const recorder = createCallRecorder({
    room: ctx.job.room?.name ?? '',
    jobId: ctx.job.id,
    sipCallId: call.sipCallId,
    genesysConversationId: call.conversationId,
    route: meta.route,
    persona: persona.name,
  });
  const livekitHttp = config.livekit.url.replace(/^ws/, 'http');
  const sip = new SipClient(livekitHttp, config.livekit.apiKey, config.livekit.apiSecret);
  const transfers = createTransferControl({
    sip,
    consult: createConsultRunner({
      room: ctx.room,
      rooms: new RoomServiceClient(livekitHttp, config.livekit.apiKey, config.livekit.apiSecret),
      sip,
      routing: config.routing,
      call,
      route: meta.route,
      callerIdentity: caller.identity,
      session: { say: (text, options) => session.say(text, options) },
      log: callLog,
    }),
    tellCaller: (text) => session.say(text, { allowInterruptions: false }).waitForPlayout(),
    // Caller and human talk through the room now; the agent leaves it (the room stays).
    onBridged: () => void session.close(),
    onPhase: (phase) => publishPhase(phase),
    recorder,
    routing: config.routing,
    room: ctx.room.name ?? '',
    participantIdentity: caller.identity,
    call,
    route: meta.route,
    persona: persona.name,
    metrics,
    log: callLog,
    storeContext: async (queue, reason, summary) => {
      try {
        const { id } = await dispatch.createContext({
          queue,
          reason,
          route: meta.route,
          persona: persona.name,
          ...(summary ? { summary: summary.slice(0, 500) } : {}),
          fields: { ...call.uui?.fields },
          transcript: transcriptExcerpt(session),
          sipCallId: call.sipCallId,
          ...(call.conversationId ? { genesysConversationId: call.conversationId } : {}),
        });
        return id;
      } catch (err) {
        callLog.warn(
          { error: (err as Error).message },
          'context record not stored; transferring without it',
        );
        return undefined;
      }
    },
    callerGone: new Promise<void>((resolve) => {
      ctx.room.on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
        if (p.identity === caller.identity) resolve();
      });
    }),
  });
  const keypad = createCallKeypad({
    room: ctx.room,
    callerIdentity: caller.identity,
    say: (text) => void session.say(text),
    log: callLog,
  });
  const runtime = createCallRuntime({
    persona,
    call,
    route: meta.route,
    humanQueue: meta.humanQueue,
    transfers,
    requestCallback: async (req) => {
      const sent = await spool.send(
        '/v1/callbacks',
        newCallbackSchema.parse({
          ...req,
          route: meta.route,
          persona: persona.name,
          sipCallId: call.sipCallId,
          ...(call.conversationId ? { genesysConversationId: call.conversationId } : {}),
        }),
      );
      // A spooled request reaches dispatch when it is back: it is recorded either way.
      const id = 'id' in sent ? sent.id : `pending-${sent.spooled}`;
      callLog.info(
        { callbackId: id, issueType: req.issueType, spooled: 'spooled' in sent },
        'callback recorded',
      );
      return { id };
    },
    data: createDataActionClient(config.dataActions),
    keypad: keypad.collect,
    log: callLog,
  });

  const stack = createVoiceStack(config, persona, call, vad);
  // Validated against every route at worker start (routingProblems).
  const handoffPolicy = resolveHandoffPolicy(
    persona.handoff,
    config.routing.routes.find((r) => r.name === meta.route)?.handoff,
  );
  const session = new voice.AgentSession({
    userAwayTimeout: handoffPolicy.silence.afterSeconds,
    ...(stack.stt ? { stt: stack.stt } : {}),
    ...(stack.llm ? { llm: stack.llm } : {}),
    tts: stack.tts,
    vad: stack.vad,
    turnHandling: stack.turnHandling,
  });
  // The apology is recorded now, offline, so it plays whatever fails later.
  const apology = greetings
    .frames({
      persona: '_system',
      text: handoffPolicy.providerFailure.apology,
      speaker: stack.offlineSpeaker,
    })
    .catch(() => []);
  const failover = createProviderFailover({
    session,
    room: ctx.room,
    transfers,
    humanQueue: meta.humanQueue,
    apology,
    log: callLog,
  });
  stack.onProviderUnavailable((failed) => {
    metrics.inc(AGENT_METRICS.providerErrorsTotal, {
      persona: persona.name,
      stage: failed.piece,
      provider: metricLabel(failed.provider),
    });
    if (handoffPolicy.providerFailure.then === 'transfer') void failover.start(failed);
    else callLog.warn({ ...failed }, 'voice provider failed; continuing on its offline stand-in');
  });
  // A failure with no stand-in left ends the session: hand the caller to a
  // human first, so a broken pipeline never drops a call.
  session.on(voice.AgentSessionEventTypes.Error, (ev) => {
    metrics.inc(AGENT_METRICS.providerErrorsTotal, {
      persona: persona.name,
      stage: ev.error.type,
      provider: metricLabel(ev.error.label),
    });
    if (ev.error.recoverable) return;
    void failover.start({ piece: ev.error.type, provider: String(ev.error.label ?? 'unknown') });
  });
  session.on(voice.AgentSessionEventTypes.Close, (ev) => {
    void (async () => {
      if (ev.error) void failover.start({ piece: 'session', provider: 'pipeline' });
      await failover.started();
      const outcome: CallOutcome =
        transfers.state().phase === 'transferred'
          ? 'transferred'
          : ev.error
            ? 'failed'
            : endedByAgent
              ? 'agent_ended'
              : 'caller_hung_up';
      metrics.inc(AGENT_METRICS.callOutcomesTotal, { persona: persona.name, outcome });
      await storeCallRecord(spool, recorder.finish(outcome), callLog);
      stopMetrics();
      await callTrace.end(outcome);
      callLog.info(
        { reason: ev.reason, finalState: transfers.state().phase, outcome },
        'session closed; ending job',
      );
      ctx.shutdown('session closed');
    })();
  });
  session.on(voice.AgentSessionEventTypes.UserStateChanged, (ev) => {
    callLog.debug({ from: ev.oldState, to: ev.newState }, 'caller state changed');
  });
  session.on(voice.AgentSessionEventTypes.AgentStateChanged, (ev) => {
    callLog.debug({ from: ev.oldState, to: ev.newState }, 'agent state changed');
  });
  session.on(voice.AgentSessionEventTypes.UserInputTranscribed, (ev) => {
    // Callers say numbers (accounts, PINs, phone numbers): logs get them masked.
    if (ev.isFinal) callLog.info({ transcript: ev.transcript }, 'caller said');
  });

  const exits = watchExits({
    session,
    monitor: createHandoffMonitor(handoffPolicy),
    transfers,
    humanQueue: meta.humanQueue,
    log: callLog,
    endCall: () => {
      endedByAgent = true;
      publishPhase('ending');
      return ctx.deleteRoom();
    },
    // A caller typing digits is silent on purpose.
    paused: keypad.active,
    silenceAfterMs: handoffPolicy.silence.afterSeconds * 1000,
  });
  session.on(voice.AgentSessionEventTypes.Close, () => exits.stop());

  ctx.room.on(RoomEvent.DtmfReceived, (_code: number, digit: string, from: RemoteParticipant) => {
    if (from.identity !== caller.identity) return;
    // Keys typed into a keypad entry are digits, not a request for a person.
    if (keypad.active() || digit !== '0') return;
    callLog.info({}, 'caller pressed 0 for a person');
    void transfers.transfer(meta.humanQueue, 'dtmf_zero').then((result) => {
      if (result.status === 'not_transferred' || result.status === 'unknown_queue') {
        session.say('I am sorry, I could not connect you right now. Please stay on the line.');
      }
    });
  });

  const stopMetrics = watchCallMetrics(
    session,
    metrics,
    persona.name,
    { stt: metricLabel(stack.describe.stt), turn: metricLabel(stack.describe.stt) },
    Date.now,
    (seconds) => recorder.turnLatency(seconds * 1000),
  );
  let endedByAgent = false;
  // The session's spans (turns, LLM, TTS) become children of the call span.
  await callTrace.within(() =>
    session.start({
      agent: createPersonaAgent(persona, runtime, {
        // Keys said into a keypad entry go to the entry, masked in the history, with no reply.
        onCallerTurn: (message) => {
          const text = message.textContent ?? '';
          if (!keypad.hear(text)) return 'reply';
          message.content = [redactText(text)];
          return 'skip';
        },
      }),
      room: ctx.room,
      inputOptions: { participantIdentity: caller.identity },
    }),
  );
  callLog.info(
    { stt: stack.describe.stt, llm: stack.describe.llm, tts: stack.describe.tts },
    'voice pipeline started',
  );
  recorder.event(meta.recovery ? 'recovered' : 'greeted');
  stack.prewarm();
  publishPhase('conversing');
  // A replacement for an agent that crashed mid-call apologizes instead of greeting.
  const greeting = meta.recovery
    ? RECOVERY_GREETING
    : meta.direction === 'outbound'
      ? (persona.outboundGreeting ?? defaultOutboundGreeting)(call, meta.values)
      : persona.greeting(call);
  if (meta.recovery)
    callLog.warn({ attempt: meta.recovery.attempt }, 'taking over a call whose agent failed');
  greetings.say(
    session,
    // A greeting that carries caller data (a name) stays out of the shared disk store.
    {
      persona: persona.name,
      text: greeting,
      speaker: stack.greeting,
      persist: greeting === RECOVERY_GREETING || greeting === persona.greeting(ANONYMOUS_CALL),
    },
    { allowInterruptions: false },
  );
}

/** The SIP participant of this room: the caller Genesys sent. */
async function waitForSipCaller<T>(ctx: JobContext<T>): Promise<RemoteParticipant> {
  for (;;) {
    const p = await ctx.waitForParticipant();
    if (p.kind === ParticipantKind.SIP) return p;
  }
}

/** The last turns of the conversation, for the human agent's screen pop. */
function transcriptExcerpt(
  session: voice.AgentSession,
): { role: 'caller' | 'agent'; text: string }[] {
  return session.history.items
    .flatMap((item) =>
      item.type === 'message' &&
      (item.role === 'user' || item.role === 'assistant') &&
      item.textContent
        ? [
            {
              role: item.role === 'user' ? ('caller' as const) : ('agent' as const),
              text: item.textContent.slice(0, 1000),
            },
          ]
        : [],
    )
    .slice(-10);
}

/** Sends the call record to dispatch, or spools it while dispatch is down. */
async function storeCallRecord(
  spool: DispatchSpool,
  record: NewCallRecord,
  log: { info: (f: object, m: string) => void; error: (f: object, m: string) => void },
): Promise<void> {
  try {
    const sent = await spool.send('/v1/calls/records', newCallRecordSchema.parse(record));
    log.info({ ...sent }, 'call record stored');
  } catch (err) {
    log.error({ error: (err as Error).message }, 'call record lost');
  }
}

/** What the agent says when it places a call and the persona has no words of its own for it. */
function defaultOutboundGreeting(
  _call: CallContext,
  values: Readonly<Record<string, string>>,
): string {
  const about = values['reason'] ? ` about ${values['reason']}` : '';
  return `Hello, this is an automated assistant calling${about}. Is now a good time to talk?`;
}

/** What a replacement agent says first: the caller just heard the line go quiet. */
const RECOVERY_GREETING =
  'I am sorry, we were cut off for a moment. I am back with you now. How can I help?';

/** A call with no caller data: what a greeting says when it is not personal. */
const ANONYMOUS_CALL: CallContext = Object.freeze({
  ani: '',
  dnis: '',
  conversationId: undefined,
  sipCallId: '',
  trunkId: undefined,
  uui: undefined,
  uuiProblem: undefined,
  xHeaders: Object.freeze({}),
});
