/**
 * The caller's voice, rendered once per run before any call starts: each
 * part of each utterance synthesized with flite (kal16, the voice the
 * offline recognizer hears best), trimmed of leading and trailing silence so
 * a part's first and last packets are speech, and converted by sox to what
 * the line carries: raw 8 kHz G.711 mu-law, 160 bytes per 20 ms packet.
 * Clips are cached by voice and text in the run's speech directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scriptParts, type CallerScript } from './scripts.ts';

export type RenderedPart = Readonly<{ text: string; file: string; durationMs: number }>;

export type RenderedUtterance = Readonly<{
  index: number;
  text: string;
  bargeIn: boolean;
  parts: readonly RenderedPart[];
}>;

export type RenderedScript = Readonly<{
  name: string;
  utterances: readonly RenderedUtterance[];
  digit?: Readonly<{ key: string; afterUtterance: number }> | undefined;
}>;

export type SpeechOptions = Readonly<{ voice?: string }>;

/**
 * Renders every part of the script (cached: a text already in `dir` is not synthesized again).
 *
 * @example
 * const rendered = renderScript(OFFLINE_SCRIPT, join(workDir, 'speech'));
 * rendered.utterances[0]?.parts.length; // 2: "what are your" | "opening hours"
 */
export function renderScript(
  script: CallerScript,
  dir: string,
  opts: SpeechOptions = {},
): RenderedScript {
  mkdirSync(dir, { recursive: true });
  const voice = opts.voice ?? 'kal16';
  return {
    name: script.name,
    ...(script.digit && { digit: script.digit }),
    utterances: script.utterances.map((u, index) => ({
      index,
      text: u.text,
      bargeIn: u.bargeIn,
      parts: scriptParts(u.text).map((text, part) => {
        const excerpt = u.recording?.[part];
        const file = excerpt ? cutRecording(excerpt, dir) : renderClip(text, dir, voice);
        return { text, file, durationMs: (statSync(file).size / 8000) * 1000 };
      }),
    })),
  };
}

type Excerpt = Readonly<{ file: string; fromMs: number; toMs: number }>;

/** An excerpt of a human recording as raw mu-law, trimmed like a synthesized clip. */
function cutRecording(excerpt: Excerpt, dir: string): string {
  const key = createHash('sha256')
    .update(`${excerpt.file}\n${excerpt.fromMs}\n${excerpt.toMs}`)
    .digest('hex')
    .slice(0, 16);
  const file = join(dir, `${key}.ulaw`);
  if (existsSync(file)) return file;
  const trim = ['trim', `${excerpt.fromMs / 1000}`, `=${excerpt.toMs / 1000}`];
  return toLine(
    excerpt.file,
    file,
    key,
    dir,
    trim,
    `${excerpt.file} ${excerpt.fromMs}-${excerpt.toMs} ms`,
  );
}

/** One clip as raw mu-law; returns its path. */
function renderClip(text: string, dir: string, voice: string): string {
  const key = createHash('sha256').update(`${voice}\n${text}`).digest('hex').slice(0, 16);
  const file = join(dir, `${key}.ulaw`);
  if (existsSync(file)) return file;
  const wav = join(dir, `${key}.tmp.wav`);
  try {
    execFileSync('flite', ['-voice', voice, '-t', text, '-o', wav]);
    return toLine(wav, file, key, dir, [], JSON.stringify(text));
  } finally {
    rmSync(wav, { force: true });
  }
}

/** Converts `source` (after `effects`) to the line's raw 8 kHz mu-law, silence trimmed at both ends. */
function toLine(
  source: string,
  file: string,
  key: string,
  dir: string,
  effects: readonly string[],
  what: string,
): string {
  const tmp = join(dir, `${key}.tmp.ulaw`);
  try {
    // silence 1 D T ... reverse ... reverse: trim below 1% for 20 ms at both ends.
    execFileSync('sox', [
      source,
      '-t',
      'raw',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'u-law',
      tmp,
      ...effects,
      'silence',
      '1',
      '0.02',
      '1%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '1%',
      'reverse',
    ]);
    if (statSync(tmp).size < 1600) throw new Error(`speech for ${what} is empty`);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return file;
}
