/**
 * One call's voice pipeline, assembled from the settings: each piece is the
 * cloud provider when configured, with its offline counterpart as failover,
 * or the offline piece alone.
 */
import type { llm, stt, tts, VAD } from '@livekit/agents';
import type { Persona } from '../../personas/persona.ts';
import type { GreetingVoice } from '../greeting-cache.ts';
import { EspeakTTS } from '../offline/espeak-tts.ts';
import {
  deepgramStt,
  ELEVENLABS_ENCODING,
  elevenLabsTts,
  elevenLabsVoiceId,
  openAiLlm,
} from './cloud.ts';
import { llmWithFallback, sttWithFallback, ttsWithFallback } from './fallback.ts';
import { localTurnDetector } from './local-models.ts';
import { describeVoice, type VoiceSettings } from './settings.ts';
import { turnHandling, type TurnHandling } from './turn-handling.ts';

/** The offline pieces of this call, built by the caller. */
export type OfflineVoice = Readonly<{
  /** The rules engine for this persona and call; without it, an offline LLM piece means no LLM. */
  llm?: llm.LLM;
  /** The offline recognizer; without it, an offline STT piece means no STT. */
  stt?: stt.STT;
  /** espeak-ng voice: the persona's, else the configured one. */
  espeakVoice: string;
}>;

export type CallVoice = Readonly<{
  stt: stt.STT | undefined;
  llm: llm.LLM | undefined;
  tts: tts.TTS;
  vad: VAD;
  turnHandling: TurnHandling;
  /** What speaks the greeting, for the greeting cache. */
  greeting: GreetingVoice;
  /** For the log line: what each piece runs on. */
  describe: Readonly<{ stt: string; llm: string; tts: string }>;
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

  const cloudStt =
    settings.stt.provider === 'deepgram'
      ? deepgramStt(settings.stt, {
          endpointingMs: settings.turn.sttEndpointingMs,
          keyterms: persona.keyterms,
        })
      : undefined;
  const cloudLlm = settings.llm.provider === 'openai' ? openAiLlm(settings.llm) : undefined;
  const cloudTts =
    settings.tts.provider === 'elevenlabs' ? elevenLabsTts(settings.tts, persona.voice) : undefined;

  const greeting: GreetingVoice =
    cloudTts && settings.tts.provider === 'elevenlabs'
      ? {
          engine: cloudTts,
          voice: `elevenlabs/${settings.tts.model}/${elevenLabsVoiceId(settings.tts, persona.voice)}/${ELEVENLABS_ENCODING}`,
          fallback: espeak,
        }
      : espeakVoice;

  return {
    stt: cloudStt ? sttWithFallback(cloudStt, offline.stt, vad) : offline.stt,
    llm: cloudLlm ? llmWithFallback(cloudLlm, offline.llm) : offline.llm,
    tts: cloudTts ? ttsWithFallback(cloudTts, espeak) : espeak,
    vad,
    turnHandling: turnHandling(settings.turn, localTurnDetector()),
    greeting,
    describe: {
      ...describeVoice(settings),
      ...(cloudTts ? {} : { tts: `offline/${espeakVoice.voice}` }),
    },
    prewarm: () => cloudLlm?.prewarm(),
  };
}

/** What distinguishes one espeak-ng rendering of a text from another. */
function espeakIdentity(engine: EspeakTTS): string {
  const o = engine.options;
  return `espeak-ng/${o.voice}/${o.wordsPerMinute}wpm/p${o.pitch}`;
}
