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
import {
  createTimedString,
  log,
  normalizeLanguage,
  shortuuid,
  stt,
  type APIConnectOptions,
  type AudioBuffer,
} from '@livekit/agents';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { contentFile } from './content-file.ts';
import { buildJsgf, type JsgfGrammar } from './jsgf.ts';
import {
  DEFAULT_DICT_PATH,
  DEFAULT_HMM_DIR,
  featParamsWithCmnInit,
  loadDictionaryWords,
  TELEPHONE_CMN_INIT,
} from './pocketsphinx-model.ts';
import type { Hypothesis } from './pocketsphinx-output.ts';
import {
  POCKETSPHINX_SAMPLE_RATE,
  PocketsphinxProcess,
  type PocketsphinxArgs,
} from './pocketsphinx-process.ts';

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
}>;

const EXITED: unique symbol = Symbol('exited');

/** Silence appended on flush beyond the end-of-utterance silence: one 2048-sample read plus slack. */
const FLUSH_EXTRA_SECONDS = 0.3;

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
    return {
      binary: opts.binary ?? 'pocketsphinx_continuous',
      hmmDir,
      dictPath: opts.dictPath ?? DEFAULT_DICT_PATH,
      grammarPath: await contentFile(this.#grammar().grammar, 'gram'),
      ...(featParams !== undefined && { featParamsPath: await contentFile(featParams, 'params') }),
      endSilenceFrames: Math.max(1, Math.round((opts.endSilenceMs ?? 500) / 10)),
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

/**
 * A live stream: one decoder process per run, fed as frames arrive. Flush
 * writes end-of-utterance silence so the decoder finishes the current
 * utterance; reported times leave that silence out.
 *
 * @example
 * const stream = recognizer.stream();
 * stream.updateInputStream(audioTrackStream);
 * for await (const event of stream) {
 *   if (event.type === stt.SpeechEventType.FINAL_TRANSCRIPT) console.log(event.alternatives?.[0].text);
 * }
 */
export class PocketsphinxSpeechStream extends stt.SpeechStream {
  label = 'offline.PocketsphinxSpeechStream';
  readonly #stt: PocketsphinxSTT;
  readonly #requestId = shortuuid();
  readonly #onClose: Array<() => void> = [];
  #proc: PocketsphinxProcess | undefined;

  constructor(owner: PocketsphinxSTT, connOptions?: APIConnectOptions) {
    super(owner, POCKETSPHINX_SAMPLE_RATE, connOptions);
    this.#stt = owner;
  }

  /** Process id of the running decoder, if any. */
  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** Accepts any channel count; channels are averaged to mono. */
  override pushFrame(frame: AudioFrame): void {
    super.pushFrame(frame.channels > 1 ? downmix(frame) : frame);
  }

  override close(): void {
    this.#proc?.kill();
    super.close();
    for (const listener of this.#onClose.splice(0)) listener();
  }

  /** Runs `listener` once when the stream is closed. */
  onClose(listener: () => void): void {
    this.#onClose.push(listener);
  }

  protected async run(): Promise<void> {
    const args = await this.#stt.decoderArgs();
    const timeline = new Timeline();
    let pendingUsage = 0;
    const emit = (event: stt.SpeechEvent) => {
      if (!this.queue.closed) this.queue.put(event);
    };
    const emitUsage = () => {
      if (pendingUsage <= 0) return;
      emit({
        type: stt.SpeechEventType.RECOGNITION_USAGE,
        requestId: this.#requestId,
        recognitionUsage: { audioDuration: pendingUsage },
      });
      pendingUsage = 0;
    };
    const onHypothesis = (hyp: Hypothesis) => {
      if (!hyp.text) return;
      const offset = this.startTimeOffset;
      const words = hyp.words.map((w) => ({
        ...w,
        startTime: timeline.streamTime(w.startTime),
        endTime: timeline.streamTime(w.endTime),
      }));
      const data = speechData(this.#stt.language, hyp.text, words, offset);
      emit({ type: stt.SpeechEventType.START_OF_SPEECH, requestId: this.#requestId });
      emit({
        type: stt.SpeechEventType.FINAL_TRANSCRIPT,
        requestId: this.#requestId,
        alternatives: [data],
      });
      emit({
        type: stt.SpeechEventType.END_OF_SPEECH,
        requestId: this.#requestId,
        alternatives: [data],
      });
      emitUsage();
    };

    if (this.abortSignal.aborted) return;
    const proc = await PocketsphinxProcess.start(args, onHypothesis);
    if (this.abortSignal.aborted) {
      proc.kill();
      return;
    }
    this.#proc = proc;
    const onAbort = () => proc.kill();
    this.abortSignal.addEventListener('abort', onAbort, { once: true });
    const exited = proc.closed.then((): typeof EXITED => EXITED);
    try {
      for (;;) {
        const next = await Promise.race([this.input.next(), exited]);
        if (this.abortSignal.aborted) return;
        if (next === EXITED) throw proc.failure('exited while audio was streaming');
        if (next.done) break;
        if (next.value === stt.SpeechStream.FLUSH_SENTINEL) {
          const seconds = args.endSilenceFrames / 100 + FLUSH_EXTRA_SECONDS;
          timeline.insertSilence(seconds);
          await proc.write(new Uint8Array(Math.round(seconds * POCKETSPHINX_SAMPLE_RATE) * 2));
          continue;
        }
        const frame = next.value;
        if (frame.sampleRate !== POCKETSPHINX_SAMPLE_RATE || frame.channels !== 1) {
          throw new Error(
            `expected 16 kHz mono frames, got ${frame.sampleRate} Hz x${frame.channels}`,
          );
        }
        const seconds = frame.samplesPerChannel / POCKETSPHINX_SAMPLE_RATE;
        timeline.addAudio(seconds);
        pendingUsage += seconds;
        await proc.write(squelch(pcmBytes(frame), this.#stt.squelchRms));
      }
      await proc.finish();
      emitUsage();
    } finally {
      this.abortSignal.removeEventListener('abort', onAbort);
      proc.kill();
    }
  }
}

/**
 * Maps decoder time (seconds of PCM written, including silence inserted on
 * flush) back to stream time (seconds of audio pushed).
 */
class Timeline {
  #written = 0;
  readonly #insertions: Array<{ at: number; seconds: number }> = [];

  addAudio(seconds: number): void {
    this.#written += seconds;
  }

  insertSilence(seconds: number): void {
    this.#insertions.push({ at: this.#written, seconds });
    this.#written += seconds;
  }

  streamTime(decoderTime: number): number {
    let shift = 0;
    for (const { at, seconds } of this.#insertions) {
      if (decoderTime <= at) break;
      shift += Math.min(seconds, decoderTime - at);
    }
    return decoderTime - shift;
  }
}

function speechData(
  language: string,
  text: string,
  words: Hypothesis['words'],
  offset: number,
): stt.SpeechData {
  const first = words[0];
  const last = words.at(-1);
  return {
    language: normalizeLanguage(language),
    text,
    startTime: (first?.startTime ?? 0) + offset,
    endTime: (last?.endTime ?? 0) + offset,
    // The grammar search has no word posteriors; 1 is what agents-js assumes when none is given.
    confidence: 1,
    words: words.map((w) =>
      createTimedString({
        text: w.word,
        startTime: w.startTime + offset,
        endTime: w.endTime + offset,
        confidence: 1,
        startTimeOffset: offset,
      }),
    ),
  };
}

function pcmBytes(frame: AudioFrame): Uint8Array {
  return new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
}

function downmix(frame: AudioFrame): AudioFrame {
  const { channels, samplesPerChannel } = frame;
  const mono = new Int16Array(samplesPerChannel);
  for (let i = 0; i < samplesPerChannel; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += frame.data[i * channels + c] ?? 0;
    mono[i] = Math.round(sum / channels);
  }
  return new AudioFrame(mono, frame.sampleRate, 1, samplesPerChannel);
}

function* resampleTo16kMono(frames: readonly AudioFrame[]): Generator<AudioFrame> {
  let resampler: AudioResampler | undefined;
  for (const raw of frames) {
    const frame = raw.channels > 1 ? downmix(raw) : raw;
    if (frame.sampleRate === POCKETSPHINX_SAMPLE_RATE) {
      yield frame;
      continue;
    }
    resampler ??= new AudioResampler(frame.sampleRate, POCKETSPHINX_SAMPLE_RATE);
    yield* resampler.push(frame);
  }
  if (resampler) {
    yield* resampler.flush();
    resampler.close();
  }
}

/** Zeroes a 16-bit PCM chunk whose RMS is below `threshold` (see `squelchRms`). */
export function squelch(pcm: Uint8Array, threshold: number): Uint8Array {
  if (threshold <= 0 || pcm.length < 2) return pcm;
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / samples.length) < threshold ? new Uint8Array(pcm.length) : pcm;
}
