/**
 * What the FAKE Deepgram "hears": a script of caller lines, one per
 * utterance. A `|` inside a line marks a mid-sentence pause: the words
 * before it are one speech segment, the words after it the next, so a
 * caller who pauses there gets a final transcript for each half, as the
 * real Deepgram gives with short endpointing.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What the fake says for utterances past the end of its script. */
export const FALLBACK_TRANSCRIPT = 'Yes, that is right.';

/** A script file: a JSON array of caller lines. */
export const scriptFile = z
  .array(z.string().min(1, 'a script line must not be empty'), {
    error: 'must be a JSON array of strings (one caller line per utterance)',
  })
  .min(1, 'must hold at least one line');

/**
 * The speech segments of a script, in the order a caller says them.
 *
 * @example
 * scriptSegments(["Hello.", "I'd like to talk | to a person."]);
 * // ['Hello.', "I'd like to talk", 'to a person.']
 */
export function scriptSegments(lines: readonly string[]): readonly string[] {
  return Object.freeze(
    lines.flatMap((line) =>
      line
        .split('|')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  );
}

/**
 * Reads and validates a script file.
 *
 * @throws when the file is not a JSON array of non-empty strings.
 * @example
 * const lines = readScriptFile('bench/caller-script.json');
 */
export function readScriptFile(path: string): readonly string[] {
  const parsed = scriptFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `FAKE script ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; ')}`,
    );
  return Object.freeze(parsed.data);
}

export type ScriptWord = Readonly<{ word: string; punctuated: string }>;

/**
 * A segment's words as Deepgram reports them: `word` lowercased without
 * punctuation, `punctuated_word` as written.
 *
 * @example
 * scriptWords("I'd like it."); // [{ word: "i'd", punctuated: "I'd" }, …, { word: 'it', punctuated: 'it.' }]
 */
export function scriptWords(segment: string): readonly ScriptWord[] {
  return segment
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((punctuated) => ({
      punctuated,
      word: punctuated.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, '') || punctuated.toLowerCase(),
    }));
}
