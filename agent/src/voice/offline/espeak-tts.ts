/**
 * espeak-ng as a LiveKit TTS plugin: the offline agent voice used when no
 * ElevenLabs key is configured. One espeak-ng process per sentence; audio is
 * forwarded as the process writes it, so the first frame plays before the
 * sentence is fully synthesized. The session's stream adapter feeds it
 * sentence by sentence.
 */
import { spawn } from 'node:child_process';
import {
  APIConnectionError,
  AudioByteStream,
  shortuuid,
  tts,
  type APIConnectOptions,
} from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { WavPcmReader } from './wav.ts';

/** espeak-ng writes 16-bit mono PCM at 22.05 kHz. */
export const ESPEAK_SAMPLE_RATE = 22050;

export type EspeakOptions = Readonly<{
  /** espeak-ng voice, e.g. `en-us`, `en-gb`, `de`. */
  voice: string;
  /** Words per minute. */
  wordsPerMinute: number;
  /** Pitch 0-99. */
  pitch: number;
  binary: string;
}>;

export const defaultEspeakOptions: EspeakOptions = Object.freeze({
  voice: 'en-us',
  wordsPerMinute: 170,
  pitch: 45,
  binary: 'espeak-ng',
});

/**
 * @example
 * const session = new voice.AgentSession({ tts: new EspeakTTS({ voice: 'en-gb' }) });
 */
export class EspeakTTS extends tts.TTS {
  label = 'offline.EspeakTTS';
  readonly options: EspeakOptions;

  constructor(options: Partial<EspeakOptions> = {}) {
    super(ESPEAK_SAMPLE_RATE, 1, { streaming: false });
    this.options = Object.freeze({ ...defaultEspeakOptions, ...options });
  }

  override get model(): string {
    return `espeak-ng/${this.options.voice}`;
  }

  override get provider(): string {
    return 'offline';
  }

  synthesize(
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ): tts.ChunkedStream {
    return new EspeakChunkedStream(this, text, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('EspeakTTS synthesizes per sentence; the session wraps it in a StreamAdapter');
  }
}

class EspeakChunkedStream extends tts.ChunkedStream {
  label = 'offline.EspeakChunkedStream';
  readonly #tts: EspeakTTS;

  constructor(
    owner: EspeakTTS,
    text: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, owner, connOptions, abortSignal);
    this.#tts = owner;
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid();
    const opts = this.#tts.options;
    const bytes = new AudioByteStream(ESPEAK_SAMPLE_RATE, 1);
    const wav = new WavPcmReader();
    let pending: AudioFrame | undefined;
    const emit = (frame: AudioFrame, final: boolean) =>
      this.queue.put({ requestId, segmentId: requestId, frame, final });

    const child = spawn(
      opts.binary,
      [
        '--stdout',
        '-v',
        opts.voice,
        '-s',
        String(opts.wordsPerMinute),
        '-p',
        String(opts.pitch),
        '--',
        this.inputText,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], signal: this.abortSignal },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    // Observed below; this keeps an early spawn/abort error from being an unhandled rejection.
    exited.catch(() => {});

    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        for (const frame of bytes.write(wav.push(chunk))) {
          if (pending) emit(pending, false);
          pending = frame;
        }
      }
      const code = await exited;
      if (code !== 0)
        throw new APIConnectionError({
          message: `espeak-ng exited with ${code}: ${stderr.trim()}`,
        });
      for (const frame of bytes.flush()) {
        if (pending) emit(pending, false);
        pending = frame;
      }
      if (pending) emit(pending, true);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      if (err instanceof APIConnectionError) throw err;
      throw new APIConnectionError({ message: `espeak-ng failed: ${(err as Error).message}` });
    } finally {
      this.queue.close();
    }
  }
}
