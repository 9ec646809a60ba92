/**
 * The persona runtime of a live call: tools transfer through the call's
 * transfer control (REFER via livekit-sip), limited to the persona's queues.
 */
import type { DataActionClient } from '../personas/data-actions.ts';
import type { Persona } from '../personas/persona.ts';
import type {
  CallbackRequest,
  PersonaRuntime,
  TransferRequest,
  TransferResult,
} from '../personas/runtime.ts';
import type { CallContext } from '../../../contracts/call-context.ts';
import type { CallLogger } from '../observability/call-logger.ts';
import type { TransferControl } from './transfers.ts';

export function createCallRuntime(deps: {
  persona: Persona;
  call: CallContext;
  route: string;
  /** The route's human queue: where escalations go. */
  humanQueue: string;
  transfers: TransferControl;
  requestCallback: (req: CallbackRequest) => Promise<{ id: string }>;
  data: DataActionClient;
  keypad: PersonaRuntime['keypad'];
  log: CallLogger;
}): PersonaRuntime {
  return Object.freeze({
    call: deps.call,
    route: deps.route,
    transfer: async ({ queue, reason, summary }: TransferRequest): Promise<TransferResult> => {
      if (!deps.persona.transferTargets.includes(queue)) {
        deps.log.warn({ queue }, 'persona asked for a queue it may not use');
        return { status: 'not_allowed', queue, allowed: deps.persona.transferTargets };
      }
      const result = await deps.transfers.transfer(queue, reason, summary);
      if (result.status === 'transferred' || result.status === 'busy')
        return { status: 'transferring', queue };
      return { status: 'failed', queue, message: result.status };
    },
    escalate: async (summary: string): Promise<TransferResult> => {
      const result = await deps.transfers.transfer(deps.humanQueue, 'out_of_scope', summary);
      if (result.status === 'transferred' || result.status === 'busy')
        return { status: 'transferring', queue: deps.humanQueue };
      return { status: 'failed', queue: deps.humanQueue, message: result.status };
    },
    requestCallback: deps.requestCallback,
    data: deps.data,
    keypad: deps.keypad,
  });
}
