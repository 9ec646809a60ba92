/**
 * The persona runtime of a live call: tools hand the caller off through the
 * call's transfer control (limited to the persona's queues; the persona's
 * LLM tells the caller when it did not go through), callbacks go to dispatch
 * (or the spool while it is down), data actions to the customer's API.
 */
import { newCallbackSchema } from '../../../contracts/callbacks.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { PersonaRuntime, TransferResult } from '../personas/runtime.ts';
import type { HandoffOutcome, TransferControl } from '../transfer/control.ts';
import type { Admission } from './admit.ts';
import type { CallPorts } from './ports.ts';

/**
 * @example
 * const runtime = createCallRuntime({ ports, admitted, transfers, keypad: keypad.collect, log });
 * await runtime.transfer({ queue: 'billing', reason: 'persona_route', summary: 'Wants a refund' });
 */
export function createCallRuntime(deps: {
  ports: Pick<CallPorts, 'spool' | 'data'>;
  admitted: Pick<Admission, 'persona' | 'call' | 'meta'>;
  transfers: TransferControl;
  keypad: PersonaRuntime['keypad'];
  log: CallLogger;
}): PersonaRuntime {
  const { persona, call, meta } = deps.admitted;
  const told = (queue: string, result: HandoffOutcome): TransferResult =>
    result.status === 'transferred' || result.status === 'busy'
      ? { status: 'transferring', queue }
      : { status: 'failed', queue, message: result.status };
  return Object.freeze({
    call,
    route: meta.route,
    transfer: async ({ queue, reason, summary }) => {
      if (!persona.transferTargets.includes(queue)) {
        deps.log.warn({ queue }, 'persona asked for a queue it may not use');
        return { status: 'not_allowed', queue, allowed: persona.transferTargets };
      }
      const result = await deps.transfers.handOff({
        queue,
        reason,
        ...(summary ? { summary } : {}),
        announce: 'none',
        onFailure: 'report',
      });
      return told(queue, result);
    },
    escalate: async (summary) => {
      const result = await deps.transfers.handOff({
        queue: meta.humanQueue,
        reason: 'out_of_scope',
        summary,
        announce: 'none',
        onFailure: 'report',
      });
      return told(meta.humanQueue, result);
    },
    requestCallback: async (req) => {
      const sent = await deps.ports.spool.send(
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
      deps.log.info(
        { callbackId: id, issueType: req.issueType, spooled: 'spooled' in sent },
        'callback recorded',
      );
      return { id };
    },
    data: deps.ports.data,
    keypad: deps.keypad,
  });
}
