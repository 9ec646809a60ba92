/**
 * A persona runtime for text-level tests: records what the persona's tools
 * asked for instead of transferring or storing anything.
 */
import type { CallContext } from '../../../../contracts/call-context.ts';
import { collected, type DigitResult } from '../../dtmf/collector.ts';
import { createDataActionClient, type DataActionClient } from '../data-actions.ts';
import type {
  CallbackRequest,
  KeypadRequest,
  PersonaRuntime,
  TransferRequest,
  TransferResult,
} from '../runtime.ts';
import { testCall } from './call.ts';

export type RecordingRuntimeOptions = Readonly<{
  /** Default: {@link testCall}(). */
  call?: CallContext;
  /** Default: `'test-route'`. */
  route?: string;
  /** The route's human queue, where escalations go. Default: `'general'`. */
  humanQueue?: string;
  /**
   * Queues a transfer may target, as the product enforces with the persona's
   * `transferTargets`; others get `not_allowed`. Default: any queue.
   */
  allowedQueues?: readonly string[];
  /** What an allowed transfer returns. Default: `'transferring'`. */
  transferResult?: 'transferring' | 'failed' | ((req: TransferRequest) => TransferResult);
  /** What a callback request does. `'failed'` throws, as the real runtime does when dispatch is down. */
  callbackResult?: 'recorded' | 'failed';
  /**
   * Answers data-action lookups, e.g. `createDataActionClient` pointed at a
   * local test server. Default: the product's client with no base URL, which
   * answers every lookup `unavailable`.
   */
  data?: DataActionClient;
  /**
   * What the caller types, one entry per keypad request in order: digits
   * (`'100042'`) or a failed result (`{ status: 'gave_up', attempts: 3 }`).
   * A request beyond the list gets an overall timeout. Default: none.
   */
  keypadEntries?: readonly (string | DigitResult)[];
}>;

/** One data-action lookup a tool made. */
export type RecordedLookup = Readonly<{ action: string; params: Readonly<Record<string, string>> }>;

/**
 * Records every transfer, callback and data lookup request, in order, and
 * answers with the configured results.
 *
 * @example
 * const runtime = new RecordingRuntime({ transferResult: 'failed' });
 * await runtime.transfer({ queue: 'billing', reason: 'persona_route' });
 * runtime.transfers; // [{ queue: 'billing', reason: 'persona_route' }]
 */
export class RecordingRuntime implements PersonaRuntime {
  readonly call: CallContext;
  readonly route: string;
  /** Records each lookup, then answers it with the `data` option's client. */
  readonly data: DataActionClient;
  readonly #transfers: TransferRequest[] = [];
  readonly #callbacks: CallbackRequest[] = [];
  readonly #lookups: RecordedLookup[] = [];
  readonly #keypadRequests: KeypadRequest[] = [];
  readonly #humanQueue: string;
  readonly #keypadEntries: readonly (string | DigitResult)[];
  readonly #allowed: readonly string[] | undefined;
  readonly #result: NonNullable<RecordingRuntimeOptions['transferResult']>;
  readonly #callbackResult: NonNullable<RecordingRuntimeOptions['callbackResult']>;

  constructor(opts: RecordingRuntimeOptions = {}) {
    this.call = opts.call ?? testCall();
    this.route = opts.route ?? 'test-route';
    this.#humanQueue = opts.humanQueue ?? 'general';
    this.#allowed = opts.allowedQueues;
    this.#result = opts.transferResult ?? 'transferring';
    this.#callbackResult = opts.callbackResult ?? 'recorded';
    this.#keypadEntries = opts.keypadEntries ?? [];
    const client = opts.data ?? createDataActionClient({ baseUrl: undefined, token: undefined });
    this.data = Object.freeze({
      lookup: (action, params) => {
        this.#lookups.push(Object.freeze({ action: action.name, params: { ...params } }));
        return client.lookup(action, params);
      },
    });
  }

  /** Every transfer request, allowed or not. */
  get transfers(): readonly TransferRequest[] {
    return [...this.#transfers];
  }

  /** Every callback request; the n-th is answered with id `callback-n`. */
  get callbacks(): readonly CallbackRequest[] {
    return [...this.#callbacks];
  }

  /** Every data-action lookup, by action name. */
  get lookups(): readonly RecordedLookup[] {
    return [...this.#lookups];
  }

  /** Every keypad request (purpose, prompts, spec), in order. */
  get keypadRequests(): readonly KeypadRequest[] {
    return [...this.#keypadRequests];
  }

  readonly keypad = async (req: KeypadRequest): Promise<DigitResult> => {
    this.#keypadRequests.push(req);
    const entry = this.#keypadEntries[this.#keypadRequests.length - 1];
    if (entry === undefined) return { status: 'timeout', kind: 'overall', attempt: 1 };
    return typeof entry === 'string' ? collected(entry) : entry;
  };

  /** Escalations are recorded with the transfers, to `humanQueue` with reason `out_of_scope`. */
  readonly escalate = (summary: string): Promise<TransferResult> =>
    this.transfer({ queue: this.#humanQueue, reason: 'out_of_scope', summary });

  readonly transfer = async (req: TransferRequest): Promise<TransferResult> => {
    this.#transfers.push(req);
    const { queue } = req;
    if (this.#allowed && !this.#allowed.includes(queue)) {
      return { status: 'not_allowed', queue, allowed: this.#allowed };
    }
    if (typeof this.#result === 'function') return this.#result(req);
    if (this.#result === 'failed')
      return { status: 'failed', queue, message: 'test: transfer failed' };
    return { status: 'transferring', queue };
  };

  readonly requestCallback = async (req: CallbackRequest): Promise<{ id: string }> => {
    this.#callbacks.push(req);
    if (this.#callbackResult === 'failed') throw new Error('test: callback store unavailable');
    return { id: `callback-${this.#callbacks.length}` };
  };
}
