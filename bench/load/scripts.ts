/**
 * What a benchmark caller says. Both scripts have the same shape, so every
 * call exercises the same things: an utterance with a pause inside the
 * sentence (`|` marks where), one barge-in over the agent's previous reply,
 * one keypad digit between turns (1: 0 would ask for a person), and a last
 * request for a person, which the overflow persona answers with a transfer
 * (REFER to the general queue).
 *
 * The offline voice recognizes only the persona's grammar (PocketSphinx with
 * a JSGF built from the overflow persona's phrases), so its script speaks in
 * those words. The cloud-shaped script speaks naturally; a stand-in STT
 * returns {@link scriptTranscripts} in order instead of recognizing audio,
 * so either script runs on the cloud-shaped voice.
 */
import { z } from 'zod';

/** Marks a mid-sentence pause inside an utterance's text. */
export const PAUSE_MARK = '|';

export const scriptUtteranceSchema = z
  .object({
    /** What the caller says; {@link PAUSE_MARK} between the parts spoken with a pause between them. */
    text: z.string().min(1),
    /** Start while the agent is still answering the previous utterance (or greeting). */
    bargeIn: z.boolean().default(false),
    /**
     * Say it with a human recording instead of flite: one excerpt per part.
     * Its words need not be the text's when a stand-in recognizer returns the
     * text: the recording is for what judges audio (VAD, end-of-turn model).
     */
    recording: z
      .array(
        z
          .object({
            file: z.string().min(1),
            fromMs: z.number().int().min(0),
            toMs: z.number().int().positive(),
          })
          .strict()
          .refine((r) => r.toMs > r.fromMs, 'toMs must be after fromMs'),
      )
      .optional(),
  })
  .strict();

export const callerScriptSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    utterances: z.array(scriptUtteranceSchema).min(1),
    /** A key pressed between turns: after the reply to utterance `afterUtterance`, before the next one. */
    digit: z
      .object({ key: z.string().regex(/^[0-9*#]$/), afterUtterance: z.number().int().min(0) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((script, ctx) => {
    const last = script.utterances.length - 1;
    if (script.digit && script.digit.afterUtterance >= last) {
      ctx.addIssue({ code: 'custom', message: 'the digit must come before the last utterance' });
    }
    if (script.digit && script.utterances[script.digit.afterUtterance + 1]?.bargeIn) {
      // A barge-in starts while the agent replies: no key press can come between.
      ctx.addIssue({
        code: 'custom',
        message: 'the utterance after the digit cannot be a barge-in',
      });
    }
    for (const [i, u] of script.utterances.entries()) {
      if (u.recording && u.recording.length !== scriptParts(u.text).length) {
        ctx.addIssue({
          code: 'custom',
          message: `utterance ${i} needs one recording excerpt per part`,
        });
      }
      if (scriptParts(u.text).some((p) => p === '')) {
        ctx.addIssue({ code: 'custom', message: `utterance ${i} has an empty part` });
      }
    }
  });

export type CallerScript = z.output<typeof callerScriptSchema>;
export type ScriptUtterance = CallerScript['utterances'][number];

/**
 * The parts of an utterance's text, spoken with a mid-sentence pause between them.
 *
 * @example
 * scriptParts('what are your | opening hours'); // ['what are your', 'opening hours']
 */
export function scriptParts(text: string): string[] {
  return text.split(PAUSE_MARK).map((p) => p.trim());
}

/**
 * The caller's utterances in order, `|` kept: what the stand-in recognizer
 * (test/fakes/script.ts) returns, one line per utterance, a final transcript
 * per part.
 *
 * @example
 * scriptTranscripts(OFFLINE_SCRIPT)[0]; // 'what are your | opening hours'
 */
export function scriptTranscripts(script: CallerScript): string[] {
  return script.utterances.map((u) => u.text);
}

/**
 * For the offline voice. Words outside the grammar come out as its nearest
 * words, and "hours", "web", "online" and "queue" attract them, so the texts
 * were chosen by what PocketSphinx made of flite's kal16 through 8 kHz
 * mu-law: "what are your" -> "web hours hours" (still the hours intent),
 * "is there a website" -> "website" (spoken as "web site", the decoder
 * split it under barge-in and kept "web"), "talk to a person please" ->
 * "talk to person please" (where "i want to talk to someone" became "online
 * to talk to someone", the website intent; "person" near the end still asks
 * for one when a busy recognizer loses the start).
 */
export const OFFLINE_SCRIPT: CallerScript = callerScriptSchema.parse({
  name: 'overflow-offline',
  utterances: [
    { text: 'what are your | opening hours' },
    { text: 'is there a website', bargeIn: true },
    { text: 'talk to a person please' },
  ],
  digit: { key: '1', afterUtterance: 1 },
});

/** Human read speech shipped by Debian's pocketsphinx-testdata (LibriVox, public domain). */
const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb';

/**
 * For the cloud-shaped voice: the stand-in STT returns these texts, and the
 * caller speaks human recordings (LibriVox sentences) in their place. The
 * end-of-turn model judges the audio's prosody: on flite's flat synthetic
 * speech it holds almost every turn open to the maximum endpointing delay
 * (3 s), which would measure the voice, not the system. Utterance 0 is split
 * at the reader's own 60 ms breath ("had he married a more amiable woman |
 * he might have been made still more respectable than he was"); the barge-in
 * line lasts 2.7 s, long enough for the agent to stop while it goes on.
 */
export const CLOUD_SCRIPT: CallerScript = callerScriptSchema.parse({
  name: 'overflow-cloud',
  utterances: [
    {
      text: 'Hi, I was wondering | what your opening hours are.',
      recording: [
        { file: `${LIBRIVOX}-0920.wav`, fromMs: 240, toMs: 3830 },
        { file: `${LIBRIVOX}-0920.wav`, fromMs: 3870, toMs: 5520 },
      ],
    },
    {
      text: 'And do you have a website?',
      bargeIn: true,
      recording: [{ file: `${LIBRIVOX}-0880.wav`, fromMs: 0, toMs: 2990 }],
    },
    {
      text: 'Actually, I would rather talk to a person.',
      recording: [{ file: `${LIBRIVOX}-0930.wav`, fromMs: 180, toMs: 3290 }],
    },
  ],
  digit: { key: '1', afterUtterance: 1 },
});

/**
 * The script a benchmark run uses: the offline one unless asked otherwise.
 * It suits every voice mode (the cloud stand-ins return its texts), so
 * systems compared side by side hear the same caller.
 *
 * @example
 * benchScript().name; // 'overflow-offline'
 */
export function benchScript(kind: 'offline' | 'cloud' = 'offline'): CallerScript {
  return kind === 'offline' ? OFFLINE_SCRIPT : CLOUD_SCRIPT;
}
