/**
 * Every persona the worker can run, and the rule that picks one for a call:
 * a Genesys UUI field `ai_persona` (set in Architect) first, then the route's
 * persona from the dispatch metadata, then the safe default.
 */
import type { DispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import type { RoutingConfig } from '../../../contracts/routing.ts';
import type { CallContext } from '../../../contracts/call-context.ts';
import { z } from 'zod';
import { resolveHandoffPolicy, type HandoffPolicy } from '../policy/handoff-policy.ts';
import type { Persona } from './persona.ts';
import afterHours from './after-hours.ts';
import overflow from './overflow.ts';
import selfService from './self-service.ts';
import triage from './triage.ts';

export const personas: ReadonlyMap<string, Persona> = new Map(
  [triage, afterHours, overflow, selfService].map((p) => [p.name, p]),
);

/** Answers when nothing names a persona this worker has: routes the caller to people. */
export const DEFAULT_PERSONA = triage;

export type PersonaChoice = Readonly<{
  persona: Persona;
  source: 'uui' | 'route' | 'default';
  /** A persona that was asked for but is not registered. */
  unknown: string | undefined;
}>;

/**
 * @example
 * selectPersona(meta, call).persona.name; // 'triage'
 */
export function selectPersona(meta: DispatchMetadata, call: CallContext): PersonaChoice {
  const fromUui = call.uui?.fields['ai_persona'];
  if (fromUui !== undefined && personas.has(fromUui)) {
    return { persona: personas.get(fromUui)!, source: 'uui', unknown: undefined };
  }
  const fromRoute = personas.get(meta.persona);
  if (fromRoute) return { persona: fromRoute, source: 'route', unknown: fromUui };
  return { persona: DEFAULT_PERSONA, source: 'default', unknown: meta.persona };
}

/**
 * Problems between the personas and a routing file, found at worker start so a
 * misconfiguration fails the deploy instead of a live call: a persona's queue
 * that the routing file does not define, or a route naming a persona this
 * worker does not have.
 *
 * @example
 * routingProblems(config.routing); // ['persona "triage" transfers to queue "billing", which routing.yaml does not define']
 */
export function routingProblems(routing: RoutingConfig): string[] {
  const problems: string[] = [];
  for (const persona of personas.values()) {
    for (const queue of persona.transferTargets) {
      if (!Object.hasOwn(routing.queues, queue)) {
        problems.push(
          `persona "${persona.name}" transfers to queue "${queue}", which the routing file does not define`,
        );
      }
    }
  }
  for (const route of routing.routes) {
    if (!personas.has(route.persona)) {
      problems.push(
        `route "${route.name}" names persona "${route.persona}", which this worker does not have`,
      );
    }
  }
  return [...problems, ...mergePolicies(routing).problems];
}

/** A route's handoff policy for the persona that answers: the persona's, the route's override merged over it. */
export type HandoffPolicies = (route: string, persona: string) => HandoffPolicy;

const merged = new WeakMap<RoutingConfig, ReturnType<typeof mergePolicies>>();

/**
 * Every route's handoff policy for every persona (a UUI field may pick any
 * persona on any route), merged once per routing file. A pair that does not
 * merge is a routing problem (see {@link routingProblems}); asked for anyway,
 * it falls back to the persona's own policy.
 *
 * @example
 * const policyFor = handoffPolicies(config.routing);
 * policyFor('main', 'triage').maxTurns; // 30
 */
export function handoffPolicies(routing: RoutingConfig): HandoffPolicies {
  let ready = merged.get(routing);
  if (!ready) merged.set(routing, (ready = mergePolicies(routing)));
  const { policies } = ready;
  return (route, persona) =>
    policies.get(`${route}\u0000${persona}`) ??
    resolveHandoffPolicy((personas.get(persona) ?? DEFAULT_PERSONA).handoff, undefined);
}

function mergePolicies(routing: RoutingConfig): {
  policies: ReadonlyMap<string, HandoffPolicy>;
  problems: readonly string[];
} {
  const policies = new Map<string, HandoffPolicy>();
  const problems: string[] = [];
  for (const route of routing.routes) {
    for (const persona of personas.values()) {
      try {
        policies.set(
          `${route.name}\u0000${persona.name}`,
          resolveHandoffPolicy(persona.handoff, route.handoff),
        );
      } catch (err) {
        const issue = err instanceof z.ZodError ? err.issues[0] : undefined;
        problems.push(
          `route "${route.name}": its handoff override and persona "${persona.name}" together are invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : String(err)}`,
        );
      }
    }
  }
  return { policies, problems };
}
