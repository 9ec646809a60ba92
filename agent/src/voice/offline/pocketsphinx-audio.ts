/**
 * The audio and timing work around the PocketSphinx decoder: frames to the
 * decoder's 16 kHz mono PCM, quiet frames to true silence, decoder time back
 * to stream time, and hypotheses to LiveKit speech data.
 */
import { createTimedString, normalizeLanguage, type stt } from '@livekit/agents';
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import type { Hypothesis } from './pocketsphinx-output.ts';
import { POCKETSPHINX_SAMPLE_RATE } from './pocketsphinx-process.ts';

/**
 * Maps decoder time (seconds of PCM written, including silence inserted on
 * flush) back to stream time (seconds of audio pushed).
 */
export class Timeline {
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

export function speechData(
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

export function pcmBytes(frame: AudioFrame): Uint8Array {
  return new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
}

/** The frame's channels averaged to one. */
export function downmix(frame: AudioFrame): AudioFrame {
  const { channels, samplesPerChannel } = frame;
  const mono = new Int16Array(samplesPerChannel);
  for (let i = 0; i < samplesPerChannel; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += frame.data[i * channels + c] ?? 0;
    mono[i] = Math.round(sum / channels);
  }
  return new AudioFrame(mono, frame.sampleRate, 1, samplesPerChannel);
}

export function* resampleTo16kMono(frames: readonly AudioFrame[]): Generator<AudioFrame> {
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
