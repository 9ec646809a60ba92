/**
 * Where a Genesys call enters the agent: binds one agent job to the call's
 * ports (the LiveKit room, an AgentSession on the call's voice, livekit-sip,
 * dispatch, metrics, logs and traces) and runs the call (call/call.ts). The
 * job's entry returns once the caller is greeted; the job ends when the call
 * does, after its record is stored.
 */
import { AutoSubscribe, log, voice, type JobContext, type VAD } from '@livekit/agents';
import { RoomServiceClient, SipClient } from 'livekit-server-sdk';
import type { AgentConfig } from '../config.ts';
import { createDispatchClient } from '../dispatch-client.ts';
import { createDispatchSpool } from '../dispatch-spool.ts';
import { useCallLogger } from '../observability/call-logger.ts';
import { udpMetricsSink } from '../observability/metrics-sink.ts';
import { startCallTrace, traceAttributes } from '../observability/tracing.ts';
import { createDataActionClient } from '../personas/data-actions.ts';
import { withLlm } from '../personas/agent.ts';
import type { HandoffPolicy } from '../policy/handoff-policy.ts';
import { startHoldAudio } from '../transfer/warm/hold-audio.ts';
import { createConsultRunner } from '../transfer/warm/runner.ts';
import { playAnnouncement } from '../voice/announcement.ts';
import { DiskGreetingStore } from '../voice/greeting-cache-store.ts';
import { CallAudioInput } from '../voice/audio/call-input.ts';
import { CALL_AUDIO_SAMPLE_RATE } from '../voice/audio/rates.ts';
import { GreetingCache } from '../voice/greeting-cache.ts';
import { stopSessionEventStream } from '../voice/session-events.ts';
import { createVoiceStack } from '../voice/stack.ts';
import type { Admission } from './admit.ts';
import { runCall } from './call.ts';
import type { CallPorts, CallSession } from './ports.ts';

let greetings: GreetingCache | undefined;
/** The job process's greeting cache, on the disk its worker's job processes share. */
function greetingCache(config: AgentConfig): GreetingCache {
  greetings ??= new GreetingCache({
    maxBytes: 8 << 20,
    store: new DiskGreetingStore({ dir: config.files.greetings, maxBytes: 32 << 20 }),
  });
  return greetings;
}

/**
 * The job's entry.
 *
 * @example
 * entry: async (ctx) => answerCall(ctx, agentConfig(), ctx.proc.userData.vad),
 */
export async function answerCall<ProcessData>(
  ctx: JobContext<ProcessData>,
  config: AgentConfig,
  vad: VAD,
): Promise<void> {
  let greeted: () => void = () => undefined;
  const conversing = new Promise<void>((resolve) => (greeted = resolve));
  const life = runCall({ ...livekitCallPorts(ctx, config, vad), conversing: () => greeted() });
  // The job process waits for the end of the call (its record stored) before it exits.
  ctx.addShutdownCallback(async () => void (await life));
  await Promise.race([conversing, life]);
}

/** The call's ports on LiveKit, livekit-sip and dispatch. */
export function livekitCallPorts<ProcessData>(
  ctx: JobContext<ProcessData>,
  config: AgentConfig,
  vad: VAD,
): Omit<CallPorts, 'conversing'> {
  const livekitHttp = config.livekit.url.replace(/^ws/, 'http');
  const sip = new SipClient(livekitHttp, config.livekit.apiKey, config.livekit.apiSecret);
  const rooms = new RoomServiceClient(livekitHttp, config.livekit.apiKey, config.livekit.apiSecret);
  const dispatch = createDispatchClient(config.dispatch);
  const room = ctx.room;
  return {
    job: { id: ctx.job.id, metadata: ctx.job.metadata, roomName: ctx.job.room?.name },
    routing: config.routing,
    room: {
      get name() {
        return room.name;
      },
      remoteParticipants: room.remoteParticipants,
      on: room.on.bind(room),
      off: room.off.bind(room),
      connect: () => ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY),
      publishAttributes: async (attributes) => {
        await room.localParticipant?.setAttributes(attributes);
      },
      deleteRoom: () => ctx.deleteRoom(),
      hold: () => startHoldAudio(room),
    },
    openSession: (admission, policy) => openAgentSession(ctx, config, vad, admission, policy),
    sip,
    consult: (admission, say, log) =>
      createConsultRunner({
        room,
        rooms,
        sip,
        routing: config.routing,
        call: admission.call,
        route: admission.meta.route,
        callerIdentity: admission.caller.identity,
        say,
        log,
      }),
    dispatch,
    spool: createDispatchSpool(dispatch, config.files.spool),
    data: createDataActionClient(config.dataActions),
    metrics: udpMetricsSink(config.metrics.jobTarget),
    // From here every log line of this process carries the ids, personal data masked.
    logger: (ids) => useCallLogger(ids),
    // The framework's job logger (job and room ids) until the call is known.
    jobLog: log(),
    startTrace: (ids) => startCallTrace(config.tracing, traceAttributes(ids)),
    shutdown: (reason) => ctx.shutdown(reason),
  };
}

/** An AgentSession on the call's voice (cloud providers with offline stand-ins, or offline). */
function openAgentSession<ProcessData>(
  ctx: JobContext<ProcessData>,
  config: AgentConfig,
  vad: VAD,
  { persona, call }: Admission,
  policy: HandoffPolicy,
): CallSession {
  const stack = createVoiceStack(config, persona, call, vad);
  const greetings = greetingCache(config);
  const session = new voice.AgentSession({
    userAwayTimeout: policy.silence.afterSeconds,
    ...(stack.stt ? { stt: stack.stt } : {}),
    ...(stack.llm ? { llm: stack.llm } : {}),
    tts: stack.tts,
    vad: stack.vad,
    turnHandling: stack.turnHandling,
  });
  let callerAudio: CallAudioInput | undefined;
  let agent: voice.Agent | undefined;
  // The realtime model failed: carry on with the pipeline when the policy says so
  // (a transfer is the conversation's to make, converse.ts).
  stack.realtime?.onFailure(() => {
    const pipeline = stack.realtime?.pipelineLlm;
    const next = pipeline && agent && withLlm(agent, pipeline);
    if (policy.providerFailure.then === 'offline_voice' && next) session.updateAgent(next);
  });
  // The apology is recorded now, offline, so it plays whatever fails later.
  const apology = greetings
    .frames({
      persona: '_system',
      text: policy.providerFailure.apology,
      speaker: stack.offlineSpeaker,
    })
    .catch(() => []);
  return {
    on: session.on.bind(session),
    off: session.off.bind(session),
    say: session.say.bind(session),
    interrupt: session.interrupt.bind(session),
    get history() {
      return session.history;
    },
    get userState() {
      return session.userState;
    },
    // The session drops its audio input on close without closing it.
    close: async () => {
      await session.close();
      await callerAudio?.close();
    },
    start: async (persona, callerIdentity) => {
      agent = persona;
      // The caller's audio comes in 40 ms frames, not the room input's 10 ms (voice/audio/call-input.ts).
      callerAudio = new CallAudioInput(ctx.room, callerIdentity);
      session.input.audio = callerAudio;
      await session.start({
        agent: persona,
        room: ctx.room,
        inputOptions: { participantIdentity: callerIdentity },
        outputOptions: { audioSampleRate: CALL_AUDIO_SAMPLE_RATE },
      });
      // livekit-sip drops the framework's session events; a framework without the stream logs it.
      if (!(await stopSessionEventStream(session)))
        log().warn(
          'no session event stream to stop; check voice/session-events.ts against agents-js',
        );
    },
    greet: (greeting) =>
      void greetings.say(
        session,
        {
          persona: persona.name,
          text: greeting.text,
          speaker: stack.greeting,
          persist: greeting.persist,
        },
        { allowInterruptions: false },
      ),
    apologize: async () => playAnnouncement(ctx.room, await apology, 'apology'),
    describe: stack.describe,
    prewarm: () => stack.prewarm(),
    onProviderUnavailable: stack.onProviderUnavailable,
  };
}
