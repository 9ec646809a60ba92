/**
 * Every persona the worker can run, and the rule that picks one for a call.
 */
import type { DispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import type { Persona } from './persona.ts';
import triage from './triage.ts';

export const personas: ReadonlyMap<string, Persona> = new Map([[triage.name, triage]]);

/** Used when a route names a persona this worker does not have. */
export const DEFAULT_PERSONA = triage;

export type PersonaChoice = Readonly<{ persona: Persona; fellBack: boolean }>;

/**
 * The persona named by the route's dispatch metadata, else the default.
 *
 * @example
 * selectPersona({ v: 1, route: 'main', persona: 'triage', humanQueue: 'general', values: {} }).persona.name; // 'triage'
 */
export function selectPersona(meta: DispatchMetadata): PersonaChoice {
  const persona = personas.get(meta.persona);
  return persona ? { persona, fellBack: false } : { persona: DEFAULT_PERSONA, fellBack: true };
}
