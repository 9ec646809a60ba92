/**
 * JSGF grammar for pocketsphinx built from a persona's expected caller
 * phrases. The general English model recognizes phone-quality speech poorly;
 * a grammar limited to the persona's vocabulary recognizes it well.
 *
 * Shape: an utterance is one or more spans, a span being any contiguous run
 * of words of one phrase (a whole phrase, a fragment, or a single word). Each
 * span costs the same weight, so the decoder prefers the fewest, longest runs
 * of phrase text: a whole phrase is one span, "talk to someone" inside an
 * unknown sentence is one span, and free word sequences are still accepted
 * at one span per word. Weights sit on the first word of a span because
 * pocketsphinx applies JSGF weights only to word transitions.
 */
import { contractedRun } from './contractions.ts';
import { loadDictionaryWords } from './pocketsphinx-model.ts';

export type JsgfInput = Readonly<{
  /** Sentences callers are expected to say. */
  phrases: readonly string[];
  /** Extra words or short terms (names, products) to recognize. */
  keywords?: readonly string[];
  /** Words pocketsphinx can pronounce; defaults to the `pocketsphinx-en-us` dictionary. */
  dictionary?: ReadonlySet<string>;
  /**
   * Probability weight of each span, in [1e-40, 1]: smaller favours long
   * phrase runs over strings of short words more strongly. Below 1e-40 the
   * decoder's log arithmetic underflows and it recognizes nothing.
   */
  spanWeight?: number;
  /** Also accept contracted forms the dictionary has ("i would" → "i'd"). */
  contractions?: boolean;
}>;

export type JsgfGrammar = Readonly<{
  /** JSGF V1.0 source; its first public rule is the one pocketsphinx uses. */
  grammar: string;
  /** Distinct words the grammar can produce. */
  words: readonly string[];
  /** Distinct input words left out because the dictionary lacks them. */
  droppedWords: readonly string[];
}>;

/**
 * Span weight measured best on synthetic and recorded narrowband callers:
 * 1e-5 lets strings of short words ("a", "on", "to") win over phrases, and
 * 1e-30 starts forcing whole phrases onto speech that is not one.
 */
export const DEFAULT_SPAN_WEIGHT = 1e-20;

/**
 * Builds a grammar accepting the phrases, keywords, and free sequences of
 * their words. Words are lower-cased; words the dictionary lacks are dropped
 * and split their phrase, so no span joins words that were not adjacent.
 *
 * @throws if no phrase or keyword has a dictionary word, or `spanWeight` is out of range.
 * @example
 * const { grammar, droppedWords } = buildJsgf({
 *   phrases: ['I would like to talk to someone about my bill'],
 *   keywords: ['Zorblax'],
 * });
 * droppedWords; // ['zorblax']
 */
export function buildJsgf(input: JsgfInput): JsgfGrammar {
  const dictionary = input.dictionary ?? loadDictionaryWords();
  const weight = input.spanWeight ?? DEFAULT_SPAN_WEIGHT;
  if (!(weight >= 1e-40 && weight <= 1)) throw new RangeError('spanWeight must be in [1e-40, 1]');

  const dropped = new Set<string>();
  const words = new Set<string>();
  const spans = new Set<string>();
  const addRun = (run: readonly string[]) => {
    for (const word of run) words.add(word);
    for (let start = 0; start < run.length; start++) {
      for (let end = start + 1; end <= run.length; end++) {
        spans.add(run.slice(start, end).join(' '));
      }
    }
  };
  for (const text of [...input.phrases, ...(input.keywords ?? [])]) {
    for (const run of dictionaryRuns(text, dictionary, dropped)) {
      addRun(run);
      if (input.contractions ?? true) {
        const contracted = contractedRun(run, dictionary);
        if (contracted) addRun(contracted);
      }
    }
  }
  if (spans.size === 0) throw new Error('no phrase or keyword has a word in the dictionary');

  const alternatives = [...spans].map((span) => `/${weight}/ ${span}`).join('\n  | ');
  const grammar = [
    '#JSGF V1.0;',
    '',
    'grammar caller;',
    '',
    'public <utterance> = <span>+;',
    '',
    `<span> = ${alternatives};`,
    '',
  ].join('\n');
  return { grammar, words: [...words], droppedWords: [...dropped] };
}

/**
 * Lower-cased words of a text, in runs of consecutive dictionary words.
 * Apostrophes inside words are kept (`i'd`); curly apostrophes count as
 * straight; a hyphenated word missing from the dictionary is split.
 *
 * @example
 * dictionaryRuns('Call Zorblax now', loadDictionaryWords()); // [['call'], ['now']]
 */
export function dictionaryRuns(
  text: string,
  dictionary: ReadonlySet<string>,
  dropped: Set<string> = new Set(),
): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  const endRun = () => {
    if (run.length > 0) runs.push(run);
    run = [];
  };
  const tokens = text
    .toLowerCase()
    .replaceAll(/[\u2018\u2019\u02bc]/g, "'")
    .split(/[^a-z0-9'-]+/);
  for (const token of tokens) {
    for (const word of dictionaryWords(token, dictionary)) {
      if (word.known) run.push(word.text);
      else {
        dropped.add(word.text);
        endRun();
      }
    }
  }
  endRun();
  return runs;
}

type Word = Readonly<{ text: string; known: boolean }>;

function dictionaryWords(token: string, dictionary: ReadonlySet<string>): Word[] {
  if (dictionary.has(token)) return [{ text: token, known: true }];
  const trimmed = token.replace(/^['-]+|['-]+$/g, '');
  if (!trimmed) return [];
  if (dictionary.has(trimmed)) return [{ text: trimmed, known: true }];
  if (trimmed.includes('-')) {
    return trimmed
      .split('-')
      .filter((part) => part)
      .flatMap((part) => dictionaryWords(part, dictionary));
  }
  return [{ text: trimmed, known: false }];
}
