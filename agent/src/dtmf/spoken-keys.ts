/**
 * Keypad keys a caller SAID instead of typing ("one two three four five",
 * "1 2 3 4", "double five", "pound"), as the recognizer wrote them. Feeds the
 * same collector as RFC 2833 digits, so spoken and keyed entry obey one spec.
 */

const WORD_KEYS: Readonly<Record<string, string>> = Object.freeze({
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  pound: '#',
  hash: '#',
  star: '*',
});

const REPEAT: Readonly<Record<string, number>> = Object.freeze({ double: 2, triple: 3 });

/**
 * The keys in a transcript, in order; '' when it names none. Other words are
 * skipped, so "my account is one two three" gives '123'.
 *
 * @example
 * spokenKeys('one two double five'); // '1255'
 * spokenKeys('it is 40 12 pound'); // '4012#'
 */
export function spokenKeys(transcript: string): string {
  let keys = '';
  let repeat = 1;
  for (const token of transcript.toLowerCase().match(/[a-z]+|[0-9]+|[#*]/g) ?? []) {
    const times = REPEAT[token];
    if (times !== undefined) {
      repeat = times;
      continue;
    }
    const key = /^[0-9#*]+$/.test(token) ? token : WORD_KEYS[token];
    if (key === undefined) {
      repeat = 1;
      continue;
    }
    // "double" applies to the next single key only.
    keys += key.length === 1 ? key.repeat(repeat) : key;
    repeat = 1;
  }
  return keys;
}
