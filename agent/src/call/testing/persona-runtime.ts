/**
 * The persona runtime of a live call for persona conversation tests
 * (personas/testing's `testPersona`): the product's own call runtime
 * (call/runtime.ts) and transfer control (transfer/control.ts), unchanged,
 * over the FAKE SIP bridge and routing file of fakes.ts. A test then asserts
 * the REFER a persona's transfer would send, target and headers, rather than
 * what the persona asked for. Not for production.
 */
import type { CallContext } from '../../../../contracts/call-context.ts';
import type { HandoffReason } from '../../../../contracts/call-outcome.ts';
import { parseDispatchMetadata } from '../../../../contracts/dispatch-metadata.ts';
import type { RoutingConfig } from '../../../../contracts/routing.ts';
import type { DigitResult } from '../../dtmf/collector.ts';
import { NO_METRICS } from '../../observability/metrics-sink.ts';
import { createDataActionClient, type DataActionClient } from '../../personas/data-actions.ts';
import type { Persona } from '../../personas/persona.ts';
import type { PersonaRuntime } from '../../personas/runtime.ts';
import { testCall } from '../../personas/testing/call.ts';
import { createTransferControl } from '../../transfer/control.ts';
import { createCallRuntime } from '../runtime.ts';
import { FakeSip, fakeRouting } from './fakes.ts';

export type CallRuntimeTestOptions = Readonly<{
  /** Default: {@link testCall}(). */
  call?: CallContext;
  /** Default: {@link fakeRouting}() (queues `general` and `billing`, route `main`). */
  routing?: RoutingConfig;
  /** Default: `'main'`. */
  route?: string;
  /** The route's human queue, where escalations go. Default: `'general'`. */
  humanQueue?: string;
  /** Default: the product's client with no base URL (every lookup `unavailable`). */
  data?: DataActionClient;
  /** Default: every keypad request times out. */
  keypad?: PersonaRuntime['keypad'];
}>;

/** A screen-pop context record the transfer control asked to store before a REFER. */
export type StoredContext = Readonly<{
  queue: string;
  reason: HandoffReason;
  summary: string | undefined;
}>;

export type CallRuntimeTest = Readonly<{
  runtime: PersonaRuntime;
  /** The REFERs sent, in order (`referTo` is the whole Refer-To URI, UUI included). */
  sip: FakeSip;
  routing: RoutingConfig;
  contexts: readonly StoredContext[];
  /** What the transfer control itself said to the caller. */
  heard: readonly string[];
  /** Warnings the runtime and the control logged. */
  warnings: readonly string[];
}>;

/**
 * @example
 * const live = testCallRuntime(triage);
 * // testPersona, from personas/testing/index.ts
 * const t = await testPersona(triage, { runtime: live.runtime });
 * await t.run('a person please');
 * live.sip.refers[0]?.referTo; // 'sip:+18005550150@byoc.example?User-to-User=...'
 */
export function testCallRuntime(
  persona: Persona,
  opts: CallRuntimeTestOptions = {},
): CallRuntimeTest {
  const call = opts.call ?? testCall();
  const routing = opts.routing ?? fakeRouting();
  const route = opts.route ?? 'main';
  const sip = new FakeSip();
  const contexts: StoredContext[] = [];
  const heard: string[] = [];
  const warnings: string[] = [];
  const log = {
    info: () => undefined,
    warn: (_: object, msg: string) => void warnings.push(msg),
    error: (_: object, msg: string) => void warnings.push(msg),
  };
  let claimed = false;
  const transfers = createTransferControl({
    sip,
    routing,
    room: 'call-main-test',
    participantIdentity: 'sip_caller',
    call,
    route,
    persona: persona.name,
    stage: {
      claim: () => !claimed && (claimed = true),
      handedOff: () => undefined,
      released: () => void (claimed = false),
    },
    voice: {
      say: async (text) => void heard.push(text),
      apologize: async () => void heard.push('(recorded apology)'),
    },
    metrics: NO_METRICS,
    log,
    callerGone: new Promise(() => undefined),
    sleep: async () => true,
    storeContext: async (queue, reason, summary) => {
      contexts.push(Object.freeze({ queue, reason, summary }));
      return `ctx-${contexts.length}`;
    },
  });
  const meta = parseDispatchMetadata(
    JSON.stringify({
      v: 1,
      route,
      persona: persona.name,
      humanQueue: opts.humanQueue ?? 'general',
    }),
  );
  const timedOut: DigitResult = { status: 'timeout', kind: 'overall', attempt: 1 };
  const runtime = createCallRuntime({
    ports: {
      spool: { send: async () => ({ id: 'callback-1' }) },
      data: opts.data ?? createDataActionClient({ baseUrl: undefined, token: undefined }),
    },
    admitted: { persona, call, meta },
    transfers,
    keypad: opts.keypad ?? (async () => timedOut),
    log,
  });
  return Object.freeze({ runtime, sip, routing, contexts, heard, warnings });
}
