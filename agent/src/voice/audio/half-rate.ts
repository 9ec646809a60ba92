/**
 * Halves the sample rate of mono 16-bit audio in plain JavaScript: a 31-tap
 * windowed-sinc low-pass at 3.6 kHz (for 16 kHz input), evaluated only at
 * the kept samples. The framework's `AudioResampler` costs an FFI round trip
 * per 10 ms frame (protobuf encode and decode on the JS thread), several
 * times the arithmetic here; on the call path that overhead is paid by every
 * talking caller, 100 times a second.
 *
 * Phone audio carries nothing above 4 kHz, so the filter only has to keep
 * the bridge's resampling residue from aliasing; its delay is 15 input
 * samples (about 1 ms at 16 kHz).
 */
import { AudioFrame } from '@livekit/rtc-node';

const TAP_COUNT = 31;
/** Cut-off as a fraction of the input rate: 3.6 kHz of 16 kHz, below the 4 kHz output Nyquist. */
const CUTOFF = 0.225;

/** Blackman-windowed sinc, normalised to unit gain at DC. */
function lowPassTaps(count: number, cutoff: number): Float64Array {
  const taps = new Float64Array(count);
  const mid = (count - 1) / 2;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w =
      0.42 -
      0.5 * Math.cos((2 * Math.PI * i) / (count - 1)) +
      0.08 * Math.cos((4 * Math.PI * i) / (count - 1));
    taps[i] = sinc * w;
    sum += taps[i] ?? 0;
  }
  for (let i = 0; i < count; i++) taps[i] = (taps[i] ?? 0) / sum;
  return taps;
}

const TAPS = lowPassTaps(TAP_COUNT, CUTOFF);

/**
 * A stateful 2:1 decimator for one mono stream: frames of any length, the
 * filter's history carried across them, so a stream cut into frames gives
 * the same samples as one long frame.
 *
 * @example
 * const half = new HalfRate();
 * const frame8k = half.push(frame16k); // frame16k: mono, 16 kHz
 */
export class HalfRate {
  #history = new Float64Array(TAP_COUNT - 1);
  /** 0 or 1: offset of the next kept sample into the next frame. */
  #phase = 0;

  /**
   * The frame at half its rate.
   *
   * @throws when the frame is not mono (the call path's input always is).
   */
  push(frame: AudioFrame): AudioFrame {
    if (frame.channels !== 1)
      throw new Error(`HalfRate takes mono frames, got ${frame.channels} channels`);
    const input = frame.data;
    const held = this.#history.length;
    const buf = new Float64Array(held + input.length);
    buf.set(this.#history);
    for (let i = 0; i < input.length; i++) buf[held + i] = input[i] ?? 0;
    const out = new Int16Array(Math.max(0, Math.ceil((input.length - this.#phase) / 2)));
    let newest = held + this.#phase;
    for (let k = 0; k < out.length; k++, newest += 2) {
      let acc = 0;
      for (let j = 0; j < TAP_COUNT; j++) acc += (TAPS[j] ?? 0) * (buf[newest - j] ?? 0);
      out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    this.#phase = newest - buf.length;
    this.#history = buf.slice(buf.length - held);
    return new AudioFrame(out, frame.sampleRate / 2, 1, out.length);
  }
}
