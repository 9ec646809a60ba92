/**
 * Where Debian's `pocketsphinx-en-us` package puts the US English model, the
 * word list of its pronunciation dictionary, and the feature parameters for
 * telephone audio. A grammar may only use words the dictionary has:
 * pocketsphinx refuses to load a grammar with any other.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Acoustic model directory (`-hmm`) from `pocketsphinx-en-us`. */
export const DEFAULT_HMM_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';

/** Pronunciation dictionary (`-dict`) from `pocketsphinx-en-us`. */
export const DEFAULT_DICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

/**
 * Initial cepstral mean of G.711 telephone speech for the en-us model: the
 * mean pocketsphinx converged to on the human recordings of
 * `pocketsphinx-testdata` passed through 8 kHz mu-law. The model's own value
 * is for wideband audio; with it, the first utterances of a phone call are
 * decoded against the wrong channel (most words wrong) until live CMN has
 * adapted, which takes several utterances.
 */
export const TELEPHONE_CMN_INIT: readonly number[] = Object.freeze([
  48.5, 27.5, -40, 41, -25, 1, 12, -30, 20, -15, 0.5, 9, -14,
]);

const cache = new Map<string, ReadonlySet<string>>();

/**
 * The words of a CMU-format dictionary (`word PHONES…`, alternates as
 * `word(2) PHONES…`), read once per path and cached.
 *
 * @throws if the file cannot be read.
 * @example
 * loadDictionaryWords().has('bill'); // true
 */
export function loadDictionaryWords(path: string = DEFAULT_DICT_PATH): ReadonlySet<string> {
  const cached = cache.get(path);
  if (cached) return cached;
  const words = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const end = line.search(/[\s(]/);
    const word = end === -1 ? line : line.slice(0, end);
    if (word) words.add(word.toLowerCase());
  }
  cache.set(path, words);
  return words;
}

/**
 * The model's `feat.params` with `-cmninit` replaced. The file is passed as
 * `-featparams`: a `-cmninit` flag would be overridden by the model's file.
 *
 * @throws if the model's `feat.params` cannot be read.
 * @example
 * await writeFile(path, await featParamsWithCmnInit(DEFAULT_HMM_DIR, TELEPHONE_CMN_INIT));
 */
export async function featParamsWithCmnInit(
  hmmDir: string,
  cmnInit: readonly number[],
): Promise<string> {
  const original = await readFile(join(hmmDir, 'feat.params'), 'utf8');
  const lines = original.split('\n').filter((line) => line && !line.startsWith('-cmninit'));
  return [...lines, `-cmninit ${cmnInit.join(',')}`, ''].join('\n');
}
