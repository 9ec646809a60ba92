/**
 * Where a Genesys call enters the agent: one job = one call. Reads the route
 * from the dispatch metadata and the Genesys context from the SIP participant,
 * picks the persona, speaks, and hands off to a human on DTMF 0.
 */
import { AutoSubscribe, log, voice, type JobContext } from '@livekit/agents';
import { ParticipantKind, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { SipClient } from 'livekit-server-sdk';
import { parseDispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import type { AgentConfig } from '../config.ts';
import { selectPersona } from '../personas/registry.ts';
import { handoff } from '../transfer/handoff.ts';
import type { TransferReason } from '../transfer/outcome.ts';
import { createVoiceStack } from '../voice/stack.ts';
import { callContextFromAttributes } from './context.ts';
import type { CallState } from './state.ts';

export async function answerCall(ctx: JobContext, config: AgentConfig): Promise<void> {
  const logger = log().child({ room: ctx.job.room?.name, jobId: ctx.job.id });
  const meta = parseDispatchMetadata(ctx.job.metadata);

  await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
  const caller = await waitForSipCaller(ctx);
  const call = callContextFromAttributes(caller.attributes);
  const { persona, fellBack } = selectPersona(meta);
  const callLog = logger.child({
    genesysConversationId: call.conversationId,
    sipCallId: call.sipCallId,
    route: meta.route,
    persona: persona.name,
  });
  if (fellBack)
    callLog.warn({ requested: meta.persona }, 'route names an unknown persona; using the default');
  if (call.uuiProblem)
    callLog.warn({ problem: call.uuiProblem }, 'ignoring unusable UUI from Genesys');
  callLog.info(
    { ani: call.ani, dnis: call.dnis, uuiFields: call.uui?.fields, xHeaders: call.xHeaders },
    'call answered',
  );

  let state: CallState = { phase: 'conversing' };
  const sip = new SipClient(
    config.livekit.url.replace(/^ws/, 'http'),
    config.livekit.apiKey,
    config.livekit.apiSecret,
  );
  const voiceStack = createVoiceStack(config);
  const session = new voice.AgentSession({ tts: voiceStack.tts });
  session.on(voice.AgentSessionEventTypes.Close, (ev) => {
    callLog.info({ reason: ev.reason, finalState: state.phase }, 'session closed; ending job');
    ctx.shutdown('session closed');
  });

  const transferTo = async (queue: string, reason: TransferReason) => {
    if (state.phase !== 'conversing') return;
    state = { phase: 'transferring', queue, reason };
    callLog.info({ queue, reason }, 'transferring caller to a human');
    const result = await handoff(
      sip,
      config.routing,
      {
        room: ctx.room.name ?? '',
        participantIdentity: caller.identity,
        queue,
        reason,
        call,
        route: meta.route,
      },
      (attempt) => callLog.info({ attempt }, 'transfer attempt finished'),
    );
    if (result.status === 'transferred') {
      state = { phase: 'transferred', queue, reason };
      return;
    }
    callLog.error(
      { queue, result: result.status },
      'transfer did not complete; caller stays with the agent',
    );
    state = { phase: 'conversing' };
    session.say('I am sorry, I could not connect you right now. Please stay on the line.');
  };

  ctx.room.on(RoomEvent.DtmfReceived, (_code: number, digit: string, from: RemoteParticipant) => {
    if (from.identity !== caller.identity) return;
    callLog.info({ dtmf: '[digit]' }, 'caller pressed a key');
    if (digit === '0') void transferTo(meta.humanQueue, 'dtmf_zero');
  });

  await session.start({
    agent: new voice.Agent({ instructions: persona.instructions }),
    room: ctx.room,
    inputOptions: { participantIdentity: caller.identity },
  });
  callLog.info({ mode: voiceStack.mode }, 'voice pipeline started');
  session.say(persona.greeting(call), { allowInterruptions: false });
}

/** The SIP participant of this room: the caller Genesys sent. */
async function waitForSipCaller(ctx: JobContext): Promise<RemoteParticipant> {
  for (;;) {
    const p = await ctx.waitForParticipant();
    if (p.kind === ParticipantKind.SIP) return p;
  }
}
