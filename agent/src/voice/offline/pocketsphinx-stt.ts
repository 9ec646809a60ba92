/**
 * PocketSphinx as a LiveKit STT plugin: the offline caller recognition used
 * when no cloud STT key is configured. One `pocketsphinx_continuous` process
 * per stream decodes against a grammar of the persona's phrases (see
 * `jsgf.ts`); the process finds utterance ends itself, and each utterance
 * becomes START_OF_SPEECH, FINAL_TRANSCRIPT, END_OF_SPEECH. There are no
 * interim results.
 *
 * Audio at any sample rate is resampled to 16 kHz mono. `channel:
 * 'telephone'` (the default) starts the decoder with the cepstral mean of
 * G.711 speech; use 'wideband' for 16 kHz sources such as WebRTC callers.
 */
import { log, shortuuid, stt, type APIConnectOptions, type AudioBuffer } from '@livekit/agents';
import { contentFile, DEFAULT_CONTENT_FILE_DIR } from './content-file.ts';
import { buildJsgf, type JsgfGrammar } from './jsgf.ts';
import { pcmBytes, resampleTo16kMono, speechData } from './pocketsphinx-audio.ts';
import {
  DEFAULT_DICT_PATH,
  DEFAULT_HMM_DIR,
  featParamsWithCmnInit,
  loadDictionaryWords,
  TELEPHONE_CMN_INIT,
} from './pocketsphinx-model.ts';
import type { Hypothesis } from './pocketsphinx-output.ts';
import { PocketsphinxProcess, type PocketsphinxArgs } from './pocketsphinx-process.ts';
import { PocketsphinxSpeechStream } from './pocketsphinx-stream.ts';

export { PocketsphinxSpeechStream } from './pocketsphinx-stream.ts';

export type PocketsphinxSTTOptions = Readonly<{
  /** Sentences callers are expected to say; the recognizer only knows their words. */
  phrases: readonly string[];
  /** Extra words or terms to recognize. */
  keywords?: readonly string[];
  /** `pocketsphinx_continuous` executable; default found on PATH. */
  binary?: string;
  /** Acoustic model directory; default from `pocketsphinx-en-us`. */
  hmmDir?: string;
  /** Pronunciation dictionary; default from `pocketsphinx-en-us`. */
  dictPath?: string;
  /** Audio source the decoder starts tuned to; default 'telephone'. */
  channel?: 'telephone' | 'wideband';
  /** Silence that ends an utterance, in ms (10 ms steps); default 500. */
  endSilenceMs?: number;
  /** Language reported with transcripts; default 'en-US' (the model's). */
  language?: string;
  /** See `JsgfInput.spanWeight`. */
  spanWeight?: number;
  /**
   * Frames quieter than this RMS (16-bit scale) reach the decoder as true
   * silence. Line and codec noise between utterances otherwise turns into
   * phantom words ("a") and skews the decoder's live normalization for the
   * speech that follows. Default 200 (about -44 dBFS); 0 disables.
   */
  squelchRms?: number;
  /**
   * The user's own directory for the grammar files and the decoders' input
   * FIFOs (the worker's `AgentConfig.files.pocketsphinx`); default
   * {@link DEFAULT_CONTENT_FILE_DIR}.
   */
  fileDir?: string;
}>;

/**
 * @example
 * const recognizer = new PocketsphinxSTT({
 *   phrases: ['I would like to talk to someone about my bill', 'pay my bill'],
 *   keywords: ['agent'],
 * });
 * const session = new voice.AgentSession({ stt: recognizer, vad, llm, tts });
 */
export class PocketsphinxSTT extends stt.STT {
  label = 'offline.PocketsphinxSTT';
  readonly #options: PocketsphinxSTTOptions;
  readonly #streams = new Set<PocketsphinxSpeechStream>();
  #jsgf: JsgfGrammar | undefined;
  #args: Promise<PocketsphinxArgs> | undefined;

  constructor(options: PocketsphinxSTTOptions) {
    super({ streaming: true, interimResults: false });
    this.#options = options;
  }

  /**
   * The persona's grammar, built on first use: it needs the 126k-word
   * dictionary (about 0.5 s of CPU and 20 MB to read), which a call on a
   * cloud recognizer only pays if it falls over to this one.
   *
   * @throws if no phrase or keyword word is in the dictionary.
   */
  #grammar(): JsgfGrammar {
    if (this.#jsgf) return this.#jsgf;
    const options = this.#options;
    const built = buildJsgf({
      phrases: options.phrases,
      ...(options.keywords && { keywords: options.keywords }),
      ...(options.spanWeight !== undefined && { spanWeight: options.spanWeight }),
      dictionary: loadDictionaryWords(options.dictPath ?? DEFAULT_DICT_PATH),
    });
    if (built.droppedWords.length > 0) {
      log().warn(
        { stt: this.label, droppedWords: built.droppedWords },
        'pocketsphinx grammar leaves out words missing from the dictionary',
      );
    }
    this.#jsgf = built;
    return built;
  }

  /** Phrase and keyword words the dictionary lacks, left out of the grammar. */
  get droppedWords(): readonly string[] {
    return this.#grammar().droppedWords;
  }

  override get model(): string {
    return `pocketsphinx/en-us-${this.#options.channel ?? 'telephone'}`;
  }

  override get provider(): string {
    return 'offline';
  }

  /** See `PocketsphinxSTTOptions.squelchRms`. */
  get squelchRms(): number {
    return this.#options.squelchRms ?? 200;
  }

  get language(): string {
    return this.#options.language ?? 'en-US';
  }

  /** Decoder process arguments; writes the grammar and feature files on first use. */
  decoderArgs(): Promise<PocketsphinxArgs> {
    this.#args ??= this.#writeDecoderFiles();
    return this.#args;
  }

  async #writeDecoderFiles(): Promise<PocketsphinxArgs> {
    const opts = this.#options;
    const hmmDir = opts.hmmDir ?? DEFAULT_HMM_DIR;
    // A model without feat.params cannot take the telephone CMN; it decodes with its own.
    const featParams =
      (opts.channel ?? 'telephone') === 'telephone'
        ? await featParamsWithCmnInit(hmmDir, TELEPHONE_CMN_INIT).catch(() => undefined)
        : undefined;
    const dir = opts.fileDir ?? DEFAULT_CONTENT_FILE_DIR;
    return {
      binary: opts.binary ?? 'pocketsphinx_continuous',
      hmmDir,
      dictPath: opts.dictPath ?? DEFAULT_DICT_PATH,
      grammarPath: await contentFile(this.#grammar().grammar, 'gram', dir),
      ...(featParams !== undefined && {
        featParamsPath: await contentFile(featParams, 'params', dir),
      }),
      endSilenceFrames: Math.max(1, Math.round((opts.endSilenceMs ?? 500) / 10)),
      fifoDir: dir,
    };
  }

  protected async _recognize(
    buffer: AudioBuffer,
    abortSignal?: AbortSignal,
  ): Promise<stt.SpeechEvent> {
    const requestId = shortuuid();
    const hyps: Hypothesis[] = [];
    const proc = await PocketsphinxProcess.start(await this.decoderArgs(), (h) => hyps.push(h));
    const abort = () => proc.kill();
    abortSignal?.addEventListener('abort', abort, { once: true });
    try {
      for (const frame of resampleTo16kMono(Array.isArray(buffer) ? buffer : [buffer])) {
        await proc.write(pcmBytes(frame));
      }
      await proc.finish();
    } finally {
      abortSignal?.removeEventListener('abort', abort);
      proc.kill();
    }
    const spoken = hyps.filter((h) => h.text);
    const text = spoken.map((h) => h.text).join(' ');
    const data = speechData(
      this.language,
      text,
      spoken.flatMap((h) => h.words),
      0,
    );
    return { type: stt.SpeechEventType.FINAL_TRANSCRIPT, requestId, alternatives: [data] };
  }

  stream(options?: { connOptions?: APIConnectOptions }): PocketsphinxSpeechStream {
    const stream = new PocketsphinxSpeechStream(this, options?.connOptions);
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
    return stream;
  }

  /** Closes every open stream, stopping their decoders. */
  override async close(): Promise<void> {
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
  }
}
