/**
 * How long the FAKE cloud providers take, as latency profiles. `zero` makes
 * every fake answer as soon as it can, which isolates the voice stack's own
 * overhead; `typical` adds what a caller waits for on the real providers
 * (figures in line with LiveKit's and the providers' published numbers for
 * streaming STT, a small chat model and a flash TTS model).
 */
import { z } from 'zod';

export type LatencyProfile = Readonly<{
  /** Profile name, for logs and reports. */
  name: string;
  /** Wait between the fake STT deciding speech ended and its final transcript. */
  sttFinalMs: number;
  /** Interval (audio time) between interim transcripts while the caller speaks. */
  sttInterimEveryMs: number;
  /** Wait between a chat request arriving and its first streamed token. */
  llmFirstTokenMs: number;
  /** Wait between later streamed tokens. */
  llmTokenMs: number;
  /** Wait between text committed for synthesis and its first audio chunk. */
  ttsFirstAudioMs: number;
  /** Audio per TTS chunk. */
  ttsChunkMs: number;
  /**
   * How much faster than real time TTS audio is sent after the first chunk
   * (2: a 100 ms chunk every 50 ms). Real providers stream faster than
   * playout; the agent buffers the difference.
   */
  ttsSpeedup: number;
}>;

export const LATENCY_PROFILES = Object.freeze({
  zero: Object.freeze({
    name: 'zero',
    sttFinalMs: 0,
    sttInterimEveryMs: 250,
    llmFirstTokenMs: 0,
    llmTokenMs: 0,
    ttsFirstAudioMs: 0,
    ttsChunkMs: 100,
    ttsSpeedup: 2,
  }),
  typical: Object.freeze({
    name: 'typical',
    sttFinalMs: 150,
    sttInterimEveryMs: 250,
    llmFirstTokenMs: 300,
    llmTokenMs: 15,
    ttsFirstAudioMs: 150,
    ttsChunkMs: 100,
    ttsSpeedup: 2,
  }),
} satisfies Record<string, LatencyProfile>);

export type LatencyProfileName = keyof typeof LATENCY_PROFILES;

export const latencyProfileName = z.enum(['zero', 'typical'], {
  error: 'must be a latency profile: zero or typical',
});

/**
 * A profile by name, with optional overrides (each a number of milliseconds).
 *
 * @example
 * latencyProfile('typical').llmFirstTokenMs; // 300
 * latencyProfile('zero', { ttsFirstAudioMs: 80 }).ttsFirstAudioMs; // 80
 */
export function latencyProfile(
  name: LatencyProfileName,
  overrides: Partial<Omit<LatencyProfile, 'name'>> = {},
): LatencyProfile {
  return Object.freeze({ ...LATENCY_PROFILES[name], ...overrides });
}

/**
 * Resolves after `ms` (at once for 0), or rejects when `signal` aborts.
 *
 * @example
 * await pause(profile.llmFirstTokenMs, request.signal);
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
