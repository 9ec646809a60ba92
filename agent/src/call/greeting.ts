/**
 * What the caller hears first: the persona's greeting, its outbound greeting
 * when the agent placed the call, or an apology when this agent replaces one
 * that failed mid-call. A greeting without caller data may be kept in the
 * shared disk cache; one that carries caller data (a name) may not.
 */
import { ANONYMOUS_CALL, type CallContext } from '../../../contracts/call-context.ts';
import type { DispatchMetadata } from '../../../contracts/dispatch-metadata.ts';
import type { Persona } from '../personas/persona.ts';

/** What a replacement agent says first: the caller just heard the line go quiet. */
export const RECOVERY_GREETING =
  'I am sorry, we were cut off for a moment. I am back with you now. How can I help?';

export type Greeting = Readonly<{ text: string; persist: boolean }>;

/**
 * @example
 * greetingFor(triage, meta, call); // { text: 'Thank you for calling…', persist: true }
 */
export function greetingFor(
  persona: Persona,
  meta: Pick<DispatchMetadata, 'recovery' | 'direction' | 'values'>,
  call: CallContext,
): Greeting {
  if (meta.recovery) return { text: RECOVERY_GREETING, persist: true };
  if (meta.direction === 'outbound') {
    const text = (persona.outboundGreeting ?? defaultOutboundGreeting)(call, meta.values);
    return { text, persist: false };
  }
  const text = persona.greeting(call);
  return { text, persist: text === persona.greeting(ANONYMOUS_CALL) };
}

/** What the agent says when it places a call and the persona has no words of its own for it. */
function defaultOutboundGreeting(
  _call: CallContext,
  values: Readonly<Record<string, string>>,
): string {
  const about = values['reason'] ? ` about ${values['reason']}` : '';
  return `Hello, this is an automated assistant calling${about}. Is now a good time to talk?`;
}
