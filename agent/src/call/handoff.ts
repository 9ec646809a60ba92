/**
 * The call's transfer control bound to this call: its SIP leg, its stage,
 * what the caller hears (the session's voice, the recorded apology), the
 * screen-pop context record stored in dispatch before each handoff, and the
 * warm transfer for queues with `consult`.
 */
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { contextFields } from '../../../contracts/context-record.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import { createTransferControl, type TransferControl } from '../transfer/control.ts';
import type { Admission } from './admit.ts';
import type { CallRecorder } from './call-recorder.ts';
import type { CallPorts, CallSession } from './ports.ts';
import type { CallStage } from './state.ts';
import type { CallTasks } from './tasks.ts';

/**
 * @example
 * const transfers = createCallTransfers({ ports, admitted, session, stage, recorder, tasks, log });
 * await transfers.handOff({ queue: 'general', reason: 'dtmf_zero', announce: 'none', onFailure: 'apologize' });
 */
export function createCallTransfers(deps: {
  ports: CallPorts;
  admitted: Admission;
  session: CallSession;
  stage: CallStage;
  recorder: CallRecorder;
  tasks: CallTasks;
  log: CallLogger;
}): TransferControl {
  const { ports, admitted, session, tasks, log } = deps;
  const { meta, call, caller, persona } = admitted;
  const say = async (text: string) => {
    try {
      await session.say(text, { allowInterruptions: false }).waitForPlayout();
    } catch {
      // A closing session says nothing more; the caller is handed over regardless.
    }
  };
  const callerGone = new Promise<void>((resolve) =>
    tasks.on(ports.room, RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) => {
      if (p.identity === caller.identity) resolve();
    }),
  );
  return createTransferControl({
    sip: ports.sip,
    routing: ports.routing,
    room: ports.room.name ?? '',
    participantIdentity: caller.identity,
    call,
    route: meta.route,
    persona: persona.name,
    stage: deps.stage,
    voice: {
      say,
      apologize: async () => {
        try {
          // Whatever the session was saying or about to say yields to the apology.
          void session.interrupt({ force: true });
        } catch {
          // A closing session has nothing left to interrupt.
        }
        await session.apologize();
      },
    },
    metrics: ports.metrics,
    log,
    callerGone,
    sleep: (ms) => tasks.sleep(ms),
    recorder: deps.recorder,
    ...(ports.consult ? { consult: ports.consult(admitted, say, log) } : {}),
    // Caller and human talk through the room now; the agent leaves it (the room stays).
    onBridged: () => void session.close(),
    storeContext: async (queue, reason, summary) => {
      try {
        const { id } = await ports.dispatch.createContext({
          queue,
          reason,
          route: meta.route,
          persona: persona.name,
          ...(summary ? { summary: summary.slice(0, 500) } : {}),
          fields: contextFields(call.uui?.fields),
          transcript: transcriptExcerpt(session),
          sipCallId: call.sipCallId,
          ...(call.conversationId ? { genesysConversationId: call.conversationId } : {}),
        });
        return id;
      } catch (err) {
        log.warn(
          { error: (err as Error).message },
          'context record not stored; transferring without it',
        );
        return undefined;
      }
    },
  });
}

/** The last turns of the conversation, for the human agent's screen pop. */
function transcriptExcerpt(
  session: Pick<CallSession, 'history'>,
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
