/**
 * Chooses the voice providers for a call: the cloud providers that are
 * configured, each with its offline counterpart as failover, and the offline
 * voice for the rest (espeak-ng speech, PocketSphinx recognition on the
 * persona's grammar, the deterministic rules engine in place of the LLM). When
 * any piece runs offline the worker says so in its logs.
 */
import { log, type VAD } from '@livekit/agents';
import type { CallContext } from '../../../contracts/call-context.ts';
import type { AgentConfig } from '../config.ts';
import type { Persona } from '../personas/persona.ts';
import { PocketsphinxSTT } from './offline/pocketsphinx-stt.ts';
import { RulesLLM } from './offline/rules-llm.ts';
import { buildCallVoice, type CallVoice } from './providers/call-voice.ts';

let announced = false;

export function createVoiceStack(
  config: AgentConfig,
  persona: Persona,
  call: CallContext,
  vad: VAD,
): CallVoice {
  const recognizer = new PocketsphinxSTT({
    phrases: persona.offline.intents.flatMap((i) => [...i.phrases, ...(i.examples ?? [])]),
    keywords: [...persona.keyterms],
    fileDir: config.files.pocketsphinx,
  });
  // The recognizer that hears the call builds its grammar now, so a grammar
  // the dictionary cannot serve fails the call's set-up, not its first turn;
  // as a cloud recognizer's fallback it waits until it takes over.
  if (config.voice.stt.provider === 'offline') void recognizer.droppedWords;
  const built = buildCallVoice(config.voice, persona, vad, {
    llm: new RulesLLM(persona, call),
    stt: recognizer,
    espeakVoice: persona.voice.espeakVoice ?? config.offlineVoice.ttsVoice,
  });
  // Name what stands in for a missing provider, for operators reading the logs.
  const voice: CallVoice = {
    ...built,
    describe: {
      ...built.describe,
      stt: built.describe.stt === 'offline' ? 'offline/pocketsphinx' : built.describe.stt,
      llm: built.describe.llm === 'offline' ? 'offline/rules-engine' : built.describe.llm,
    },
  };
  if (!announced) {
    const offline = Object.values(voice.describe).some((d) => d.startsWith('offline'));
    if (offline) {
      log().warn(
        { ...voice.describe },
        'OFFLINE VOICE: some voice providers are not configured; espeak-ng, PocketSphinx and the rules engine stand in for them',
      );
    } else {
      log().info({ ...voice.describe }, 'cloud voice providers configured');
    }
    announced = true;
  }
  return voice;
}
