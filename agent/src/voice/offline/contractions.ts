/**
 * Spoken contractions of written word pairs. Callers say "I'd like" where a
 * persona phrase reads "I would like"; a grammar that only has the written
 * form makes the recognizer hear something else.
 */

/** Pairs whose contraction is not the first word plus a suffix. */
const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ['will not', "won't"],
  ['can not', "can't"],
  ['shall not', "shan't"],
  ['let us', "let's"],
]);

/** Second word → suffix appended to the first word. */
const SUFFIXES: ReadonlyMap<string, string> = new Map([
  ['not', "n't"],
  ['would', "'d"],
  ['will', "'ll"],
  ['am', "'m"],
  ['are', "'re"],
  ['is', "'s"],
  ['have', "'ve"],
]);

/**
 * The run with every adjacent pair that has a contraction in the dictionary
 * contracted, left to right; `undefined` when nothing contracts.
 *
 * @example
 * contractedRun(['i', 'would', 'like', 'it'], new Set(["i'd"])); // ["i'd", 'like', 'it']
 */
export function contractedRun(
  run: readonly string[],
  dictionary: ReadonlySet<string>,
): string[] | undefined {
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < run.length; i++) {
    const first = run[i] as string;
    const second = run[i + 1];
    const contraction = second === undefined ? undefined : contract(first, second);
    if (contraction !== undefined && dictionary.has(contraction)) {
      out.push(contraction);
      changed = true;
      i++;
    } else {
      out.push(first);
    }
  }
  return changed ? out : undefined;
}

function contract(first: string, second: string): string | undefined {
  const irregular = IRREGULAR.get(`${first} ${second}`);
  if (irregular !== undefined) return irregular;
  const suffix = SUFFIXES.get(second);
  return suffix === undefined ? undefined : first + suffix;
}
