/**
 * How the offline rules engine reads a caller's words: a whole-word phrase
 * matcher over normalized utterances and persona phrases. Pure functions; no
 * framework state.
 */
import { normalizeUtterance } from '../../language/utterance.ts';
import type { OfflineIntent } from '../../personas/persona.ts';

/**
 * The first intent, in declaration order, one of whose phrases occurs in the
 * utterance as a whole-word sequence ("bill" matches "my bill is wrong", not
 * "billy").
 *
 * @example
 * matchIntent(triage.offline.intents, "I'd like to talk to someone about my bill")?.name;
 * // 'billing': declared before 'person', which "talk to someone" also matches
 */
export function matchIntent<I extends Pick<OfflineIntent, 'phrases'>>(
  intents: readonly I[],
  utterance: string,
): I | undefined {
  const text = ` ${normalizeUtterance(utterance)} `;
  if (text.trim() === '') return undefined;
  return intents.find((intent) =>
    intent.phrases.some((phrase) => {
      const words = normalizeUtterance(phrase);
      return words !== '' && text.includes(` ${words} `);
    }),
  );
}
