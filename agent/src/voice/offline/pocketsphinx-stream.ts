/**
 * A live PocketSphinx stream: one decoder process per run, fed as frames
 * arrive; each utterance the decoder ends becomes START_OF_SPEECH,
 * FINAL_TRANSCRIPT, END_OF_SPEECH.
 */
import { shortuuid, stt, type APIConnectOptions } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { downmix, pcmBytes, speechData, squelch, Timeline } from './pocketsphinx-audio.ts';
import type { Hypothesis } from './pocketsphinx-output.ts';
import {
  POCKETSPHINX_SAMPLE_RATE,
  PocketsphinxProcess,
  type PocketsphinxArgs,
} from './pocketsphinx-process.ts';

/** What a stream needs of its recognizer (PocketsphinxSTT). */
export type DecoderSource = Readonly<{
  decoderArgs(): Promise<PocketsphinxArgs>;
  readonly language: string;
  readonly squelchRms: number;
}>;

const EXITED: unique symbol = Symbol('exited');

/** Silence appended on flush beyond the end-of-utterance silence: one 2048-sample read plus slack. */
const FLUSH_EXTRA_SECONDS = 0.3;

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
  readonly #stt: DecoderSource;
  readonly #requestId = shortuuid();
  readonly #onClose: Array<() => void> = [];
  #proc: PocketsphinxProcess | undefined;

  constructor(owner: stt.STT & DecoderSource, connOptions?: APIConnectOptions) {
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
