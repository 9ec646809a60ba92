/**
 * Parser of `pocketsphinx_continuous -time yes` standard output. Per
 * utterance the program prints the hypothesis on one line, then one line per
 * segment, `word start end confidence` (seconds from the start of the input),
 * then flushes:
 *
 *     talk to someone
 *     <sil> 0.880 1.210 1.000000
 *     talk 1.220 1.480 1.000000
 *     to(2) 1.490 1.560 1.000000
 *     ...
 *
 * An utterance ends at the next hypothesis line or when a chunk of output
 * ends on a line break, since the program writes each utterance in one flush.
 */

export type RecognizedWord = Readonly<{ word: string; startTime: number; endTime: number }>;

export type Hypothesis = Readonly<{
  /** Space-separated words; empty when the decoder matched only silence or noise. */
  text: string;
  /** Spoken words with times, fillers and silences left out. */
  words: readonly RecognizedWord[];
  /** Seconds from the start of the input to the first word (0 without words). */
  startTime: number;
  /** Seconds from the start of the input to the end of the last word (0 without words). */
  endTime: number;
}>;

const SEGMENT = /^(\S+) (\d+\.\d+) (\d+\.\d+) (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/;
/** Silences, fillers and null transitions: `<sil>`, `[NOISE]`, `(NULL)`, `++GARBAGE++`. */
const NOT_A_WORD = /^[<[(+]/;

/**
 * @example
 * const parser = new HypothesisParser();
 * for (const hyp of parser.push('yes\nyes 0.500 0.900 1.000000\n')) console.log(hyp.text); // 'yes'
 */
export class HypothesisParser {
  #partialLine = '';
  #current: { text: string; words: RecognizedWord[] } | undefined;

  /** Feeds output; returns the utterances this chunk completed. */
  push(chunk: string): Hypothesis[] {
    const done: Hypothesis[] = [];
    const lines = (this.#partialLine + chunk).split('\n');
    this.#partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const segment = SEGMENT.exec(line);
      if (segment) {
        const word = (segment[1] as string).replace(/\(\d+\)$/, '');
        if (this.#current && !NOT_A_WORD.test(word)) {
          this.#current.words.push({
            word,
            startTime: Number(segment[2]),
            endTime: Number(segment[3]),
          });
        }
        continue;
      }
      this.#complete(done);
      this.#current = { text: line.trim().replace(/\s+/g, ' '), words: [] };
    }
    if (this.#partialLine === '') this.#complete(done);
    return done;
  }

  /** Ends the output; returns the last utterance if one was pending. */
  end(): Hypothesis[] {
    const done: Hypothesis[] = [];
    if (this.#partialLine !== '') done.push(...this.push('\n'));
    this.#complete(done);
    return done;
  }

  #complete(done: Hypothesis[]): void {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    const first = current.words[0];
    const last = current.words.at(-1);
    done.push({
      text: current.text,
      words: current.words,
      startTime: first?.startTime ?? 0,
      endTime: last?.endTime ?? 0,
    });
  }
}
