/**
 * A persona: who answers a call and how. One file per persona under
 * `personas/`, registered in `registry.ts`.
 */
import type { CallContext } from '../call/context.ts';

export type Persona = Readonly<{
  name: string;
  /** System instructions for the LLM. */
  instructions: string;
  /** First words the caller hears. */
  greeting: (call: CallContext) => string;
}>;

/**
 * Declares a persona with checked fields.
 *
 * @example
 * export default definePersona({
 *   name: 'front-desk',
 *   instructions: 'You answer calls for Example Corp.',
 *   greeting: () => 'Thanks for calling Example Corp.',
 * });
 */
export function definePersona(persona: Persona): Persona {
  if (!/^[a-z][a-z0-9_-]*$/.test(persona.name)) {
    throw new Error(`persona name "${persona.name}" must be lower-case letters, digits, - or _`);
  }
  return Object.freeze({ ...persona });
}
