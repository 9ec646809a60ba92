/**
 * One call's voice, assembled from the settings: each piece is the cloud
 * provider when configured (STT: Deepgram or the OpenAI audio API; LLM: an
 * OpenAI-compatible chat API; TTS: ElevenLabs or the OpenAI audio API), with
 * its offline counterpart as failover, or the offline piece alone. For a
 * persona on the realtime model, the model answers and speaks in place of
 * the LLM and TTS, which stand by for its failure (realtime.ts).
 */
import type { llm, stt, tts, VAD } from '@livekit/agents';
import type { Persona } from '../../personas/persona.ts';
import type { GreetingVoice } from '../greeting-cache.ts';
import { EspeakTTS } from '../offline/espeak-tts.ts';
import {
  deepgramStt,
  elevenLabsTts,
  elevenLabsVoiceIdentity,
  openAiLlm,
  openAiStt,
  openAiTts,
  openAiVoiceIdentity,
  STT_SAMPLE_RATE,
} from './cloud.ts';
import { llmWithFallback, sttWithFallback, ttsWithFallback } from './fallback.ts';
import { LOCAL_TURN_DETECTOR, localTurnDetector } from './local-models.ts';
import { CallRealtimeModel, type RealtimeFailure } from './realtime.ts';
import { realtimeFor } from './realtime-settings.ts';
import { describeVoice, type VoiceSettings } from './settings.ts';
import { StallWatchdogLLM } from './llm-watchdog.ts';
import { DeafnessWatchdogSTT } from './stt-watchdog.ts';
import { StallWatchdogTTS } from './tts-watchdog.ts';
import { turnHandling, type TurnHandling } from './turn-handling.ts';

/** A cloud provider that stopped answering during a call. */
export type ProviderFailure = Readonly<{ piece: 'stt' | 'llm' | 'tts'; provider: string }>;

/** The offline pieces of this call, built by the caller. */
export type OfflineVoice = Readonly<{
  /** The rules engine for this persona and call; without it, an offline LLM piece means no LLM. */
  llm?: llm.LLM;
  /** The offline recognizer; without it, an offline STT piece means no STT. */
  stt?: stt.STT;
  /** espeak-ng voice: the persona's, else the configured one. */
  espeakVoice: string;
}>;

/** The realtime model of a persona that runs on it, and the pipeline that stands by. */
export type RealtimeVoice = Readonly<{
  /** Calls `listener` once when the model fails; returns the unsubscribe function. */
  onFailure: (listener: (failure: RealtimeFailure) => void) => () => void;
  /** The pipeline's LLM (cloud with its offline stand-in, or the rules engine) to carry on with. */
  pipelineLlm: llm.LLM | undefined;
}>;

export type CallVoice = Readonly<{
  stt: stt.STT | undefined;
  /** The session's model: the pipeline's LLM, or the realtime model. */
  llm: llm.LLM | llm.RealtimeModel | undefined;
  /** Set when this call runs on the realtime model. */
  realtime: RealtimeVoice | undefined;
  tts: tts.TTS;
  vad: VAD;
  turnHandling: TurnHandling;
  /** What speaks the greeting, for the greeting cache. */
  greeting: GreetingVoice;
  /** The offline speaker (espeak-ng): for words that must play whatever cloud piece failed. */
  offlineSpeaker: GreetingVoice;
  /**
   * Calls `listener` when a cloud provider fails past its retries and its
   * offline stand-in takes over; returns the unsubscribe function.
   */
  onProviderUnavailable: (listener: (failure: ProviderFailure) => void) => () => void;
  /** For the log line and metric labels: what each piece runs on (`turn`: end-of-turn detection). */
  describe: Readonly<{ stt: string; llm: string; tts: string; turn: string }>;
  /**
   * Opens the cloud LLM's connection ahead of the first reply. The session
   * does this itself for a bare LLM but not through a FallbackAdapter.
   */
  prewarm: () => void;
}>;

/**
 * Builds the providers for one call. Opens no connection.
 *
 * @example
 * const v = buildCallVoice(config.voice, persona, ctx.proc.userData.vad, {
 *   llm: new RulesLLM(persona, call),
 *   stt: offlineStt,
 *   espeakVoice: persona.voice.espeakVoice ?? config.offlineVoice.ttsVoice,
 * });
 * const session = new voice.AgentSession({ stt: v.stt, llm: v.llm, tts: v.tts, vad: v.vad, turnHandling: v.turnHandling });
 * v.prewarm();
 */
export function buildCallVoice(
  settings: VoiceSettings,
  persona: Persona,
  vad: VAD,
  offline: OfflineVoice,
): CallVoice {
  const espeak = new EspeakTTS({ voice: offline.espeakVoice });
  const espeakVoice: GreetingVoice = { engine: espeak, voice: espeakIdentity(espeak) };

  const deepgram =
    settings.stt.provider === 'deepgram'
      ? deepgramStt(settings.stt, {
          endpointingMs: settings.turn.sttEndpointingMs,
          keyterms: persona.keyterms,
        })
      : undefined;
  // A Deepgram stream whose socket dies mid-call stays silently deaf
  // (livekit/agents-js#2469); the watchdog turns that into a failure the
  // FallbackAdapter switches on. Without a fallback there is nothing to switch to.
  const cloudStt =
    deepgram && offline.stt
      ? new DeafnessWatchdogSTT(deepgram, { providerSampleRate: STT_SAMPLE_RATE })
      : (deepgram ??
        (settings.stt.provider === 'openai'
          ? openAiStt(settings.stt, vad, persona.keyterms)
          : undefined));
  // A model that answers 200 and never sends a token leaves the agent
  // thinking forever; the watchdog turns it into a failure (llm-watchdog.ts).
  const cloudLlm =
    settings.llm.provider === 'openai' ? new StallWatchdogLLM(openAiLlm(settings.llm)) : undefined;
  const cloudTts =
    settings.tts.provider === 'elevenlabs'
      ? elevenLabsTts(settings.tts, persona.voice)
      : settings.tts.provider === 'openai'
        ? openAiTts(settings.tts)
        : undefined;

  // A TTS that stops sending audio without an error leaves dead air until
  // the caller speaks; the watchdog turns it into a failure (tts-watchdog.ts).
  const watchedTts = cloudTts ? new StallWatchdogTTS(cloudTts) : undefined;

  const cloudVoice =
    settings.tts.provider === 'elevenlabs'
      ? elevenLabsVoiceIdentity(settings.tts, persona.voice)
      : settings.tts.provider === 'openai'
        ? openAiVoiceIdentity(settings.tts)
        : undefined;
  const greeting: GreetingVoice =
    watchedTts && cloudVoice
      ? { engine: watchedTts, voice: cloudVoice, fallback: espeak }
      : espeakVoice;

  const sttPiece = cloudStt ? sttWithFallback(cloudStt, offline.stt, vad) : offline.stt;
  const llmPiece = cloudLlm ? llmWithFallback(cloudLlm, offline.llm) : offline.llm;
  const ttsPiece = watchedTts ? ttsWithFallback(watchedTts, espeak) : espeak;
  const realtimeSettings = settings.realtime;
  const realtime = realtimeFor(realtimeSettings, persona.name)
    ? new CallRealtimeModel(realtimeSettings)
    : undefined;
  const realtimeLabel = realtimeSettings
    ? `openai-realtime/${realtimeSettings.model}${at(realtimeSettings.baseURL)}`
    : '';
  return {
    stt: sttPiece,
    llm: realtime ?? llmPiece,
    realtime: realtime && {
      onFailure: (listener) => realtime.onFailure(listener),
      pipelineLlm: llmPiece,
    },
    tts: ttsPiece,
    vad,
    offlineSpeaker: espeakVoice,
    onProviderUnavailable: (listener) => {
      const stopPieces = watchAvailability(
        [
          ['stt', sttPiece, cloudStt],
          ['llm', llmPiece, cloudLlm],
          ['tts', ttsPiece, watchedTts],
        ],
        listener,
      );
      const stopRealtime = realtime?.onFailure(() =>
        listener({ piece: 'llm', provider: realtimeLabel }),
      );
      return () => {
        stopPieces();
        stopRealtime?.();
      };
    },
    turnHandling: turnHandling(settings.turn, localTurnDetector()),
    greeting,
    describe: {
      ...describeVoice(settings),
      turn: LOCAL_TURN_DETECTOR,
      ...(cloudTts ? {} : { tts: `offline/${espeakVoice.voice}` }),
      ...(realtime ? { llm: realtimeLabel } : {}),
    },
    // The realtime session connects when the session starts; the chat LLM only stands by.
    prewarm: () => {
      if (!realtime) cloudLlm?.prewarm();
    },
  };
}

/** `@host[:port]` of a configured base URL, '' for the provider's own. */
function at(baseUrl: string | undefined): string {
  return baseUrl ? `@${new URL(baseUrl).host}` : '';
}

type Piece = Readonly<{
  on: (event: never, listener: (ev: never) => void) => unknown;
  off: (event: never, listener: (ev: never) => void) => unknown;
}>;

const AVAILABILITY_EVENT = {
  stt: 'stt_availability_changed',
  llm: 'llm_availability_changed',
  tts: 'tts_availability_changed',
} as const;

/** Subscribes to each FallbackAdapter's availability events for its cloud (primary) provider. */
function watchAvailability(
  pieces: readonly (readonly [
    ProviderFailure['piece'],
    unknown,
    { label: string | (() => string) } | undefined,
  ])[],
  listener: (failure: ProviderFailure) => void,
): () => void {
  const stops: (() => void)[] = [];
  for (const [piece, adapter, cloud] of pieces) {
    if (!cloud || adapter === cloud || !adapter) continue;
    const event = AVAILABILITY_EVENT[piece];
    const onChange = (ev: Record<string, unknown>) => {
      if (ev['available'] === false && ev[piece] === cloud)
        listener({
          piece,
          provider: typeof cloud.label === 'function' ? cloud.label.call(cloud) : cloud.label,
        });
    };
    const emitter = adapter as Piece;
    emitter.on(event as never, onChange as never);
    stops.push(() => void emitter.off(event as never, onChange as never));
  }
  return () => stops.forEach((stop) => stop());
}

/** What distinguishes one espeak-ng rendering of a text from another. */
function espeakIdentity(engine: EspeakTTS): string {
  const o = engine.options;
  return `espeak-ng/${o.voice}/${o.wordsPerMinute}wpm/p${o.pitch}`;
}
