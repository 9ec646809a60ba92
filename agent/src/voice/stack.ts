/**
 * Chooses the voice providers for a call. Without cloud keys the agent runs on
 * the offline voice (espeak-ng speech, PocketSphinx recognition with the
 * persona's grammar, the deterministic rules engine in place of the LLM), and
 * says so in the logs.
 */
import { log, type llm, type stt, type tts, type VAD } from '@livekit/agents';
import type { CallContext } from '../call/context.ts';
import type { AgentConfig } from '../config.ts';
import type { Persona } from '../personas/persona.ts';
import { EspeakTTS } from './offline/espeak-tts.ts';
import { RulesLLM } from './offline/rules-llm.ts';

export type VoiceStack = Readonly<{
  stt: stt.STT | undefined;
  vad: VAD | undefined;
  llm: llm.LLM | undefined;
  tts: tts.TTS;
  describe: Readonly<{ stt: string; llm: string; tts: string }>;
}>;

let announced = false;

export function createVoiceStack(
  config: AgentConfig,
  persona: Persona,
  call: CallContext,
): VoiceStack {
  const voice = persona.voice.espeakVoice ?? config.offlineVoice.ttsVoice;
  if (!announced) {
    log().warn(
      { tts: `espeak-ng/${voice}` },
      'OFFLINE VOICE: no cloud voice providers configured; using espeak-ng for speech',
    );
    announced = true;
  }
  return {
    stt: undefined,
    vad: undefined,
    llm: new RulesLLM(persona, call),
    tts: new EspeakTTS({ voice }),
    describe: { stt: 'none', llm: `offline.RulesLLM/${persona.name}`, tts: `espeak-ng/${voice}` },
  };
}
