/**
 * Provider failover with the framework's FallbackAdapters: a failing cloud
 * piece degrades to its offline counterpart for the rest of the call, and is
 * taken back when it recovers. Timings are set for a caller waiting in
 * silence, not for throughput.
 */
import type { EventEmitter } from 'node:events';
import { log, llm, stt, tts, type APIConnectOptions, type VAD } from '@livekit/agents';
import { leavesUnanswered, replayedFrames } from './unanswered-audio.ts';

/**
 * Seconds OpenAI has to answer a request (its response headers) before the
 * fallback answers instead. The OpenAI SDK's timeout ends at the headers: a
 * first token that never comes is the watchdog's (llm-watchdog.ts, same
 * length). A typical first token takes well under a second.
 */
export const LLM_ATTEMPT_TIMEOUT_S = 4;

/**
 * Retries of the primary TTS before the fallback speaks. A retry is silence
 * on the line (agents-js waits 0.1 s, then 2 s, between attempts); without
 * one the fallback speaks that sentence and the recovery probe, run at once,
 * hands the next sentences back to the primary if it answers again.
 */
export const TTS_MAX_RETRY = 0;

/**
 * How often a failed TTS is probed for recovery. Each probe synthesizes a
 * short sentence, which the provider bills.
 */
export const TTS_RECOVERY_DELAY_MS = 15_000;

/**
 * The primary LLM, falling back to `fallback` (e.g. the offline rules engine)
 * when it fails or is slow to start. Without a fallback, the primary alone.
 *
 * @example
 * const brain = llmWithFallback(openAiLlm(settings.llm), new RulesLLM(persona, call));
 */
export function llmWithFallback(primary: llm.LLM, fallback: llm.LLM | undefined): llm.LLM {
  if (!fallback) return primary;
  return new llm.FallbackAdapter({
    llms: [primary, fallback],
    attemptTimeout: LLM_ATTEMPT_TIMEOUT_S,
    maxRetryPerLLM: 0,
    // A reply already spoken in part is not restarted in another voice.
    retryOnChunkSent: false,
  });
}

/**
 * The primary TTS, falling back to `fallback` (e.g. espeak-ng). The adapter
 * speaks at the higher of the two sample rates and resamples the other.
 *
 * @example
 * const speech = ttsWithFallback(elevenLabsTts(settings.tts, persona.voice), new EspeakTTS());
 */
export function ttsWithFallback(primary: tts.TTS, fallback: tts.TTS): tts.FallbackAdapter {
  return new tts.FallbackAdapter({
    ttsInstances: [primary, fallback],
    maxRetryPerTTS: TTS_MAX_RETRY,
    recoveryDelayMs: TTS_RECOVERY_DELAY_MS,
  });
}

/**
 * The primary STT, falling back to `fallback` (e.g. the offline recognizer).
 * `vad` lets the adapter wrap a non-streaming fallback. Without a fallback,
 * the primary alone. A primary that keeps what it left unanswered (the
 * Deepgram watchdog, stt-watchdog.ts; the segmented STT, segmented-stt.ts) hands the
 * fallback the caller audio it left unanswered when it failed.
 *
 * @example
 * const ears = sttWithFallback(new DeafnessWatchdogSTT(deepgramStt(settings.stt, opts)), offlineStt, vad);
 */
export function sttWithFallback(
  primary: stt.STT,
  fallback: stt.STT | undefined,
  vad: VAD,
): stt.STT {
  if (!fallback) return primary;
  return new ReplayingFallbackAdapter({ sttInstances: [primary, fallback], vad });
}

/**
 * A FallbackAdapter that, when a watched STT fails, replays the audio it
 * left unanswered into the stream in use. The adapter announces the failure
 * just before it opens the next STT's stream, and forwards input to that
 * stream from then on, so the next STT hears the replay first (after at most
 * the few frames already queued). The adapter streams one call's audio at a
 * time: the latest stream is the one in use.
 */
class ReplayingFallbackAdapter extends stt.FallbackAdapter {
  #latest: stt.SpeechStream | undefined;

  constructor(opts: stt.FallbackAdapterOptions) {
    super(opts);
    // The adapter emits this event without declaring it in its typed events.
    (this as unknown as EventEmitter).on(
      'stt_availability_changed',
      (ev: stt.AvailabilityChangedEvent) => {
        if (ev.available || !leavesUnanswered(ev.stt)) return;
        const frames = ev.stt.takeUnanswered();
        const stream = this.#latest;
        if (!stream || frames.length === 0) return;
        const seconds = frames.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0);
        log().warn(
          { stt: ev.stt.label, seconds: Math.round(seconds * 100) / 100 },
          'replaying the caller audio the failed STT left unanswered to the next one',
        );
        try {
          for (const frame of frames) {
            replayedFrames.add(frame);
            stream.pushFrame(frame);
          }
        } catch {
          // The stream closed meanwhile: nobody is listening any more.
        }
      },
    );
  }

  override stream(options?: { connOptions?: APIConnectOptions }): stt.SpeechStream {
    this.#latest = super.stream(options);
    return this.#latest;
  }
}
