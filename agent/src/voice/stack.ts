/**
 * Chooses the voice providers for a call. Without cloud keys the agent runs on
 * the offline voice (espeak-ng), and says so.
 */
import { log, type tts } from '@livekit/agents';
import type { AgentConfig } from '../config.ts';
import { EspeakTTS } from './offline/espeak-tts.ts';

export type VoiceStack = Readonly<{ mode: 'offline' | 'cloud'; tts: tts.TTS }>;

let announced = false;

export function createVoiceStack(config: AgentConfig): VoiceStack {
  if (!announced) {
    log().warn(
      { tts: `espeak-ng/${config.offlineVoice.ttsVoice}` },
      'OFFLINE VOICE: no cloud voice providers configured; using espeak-ng for speech',
    );
    announced = true;
  }
  return { mode: 'offline', tts: new EspeakTTS({ voice: config.offlineVoice.ttsVoice }) };
}
