import { inference, initializeLogger, llm, stt, tts, type VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Persona } from '../../personas/persona.ts';
import { testCall } from '../../personas/testing/index.ts';
import triage from '../../personas/triage.ts';
import { EspeakTTS } from '../offline/espeak-tts.ts';
import { PocketsphinxSTT } from '../offline/pocketsphinx-stt.ts';
import { RulesLLM } from '../offline/rules-llm.ts';
import { buildCallVoice, type OfflineVoice } from './call-voice.ts';
import { loadVad } from './local-models.ts';
import { CallRealtimeModel } from './realtime.ts';
import { parseVoiceSettings } from './settings.ts';
import { StallWatchdogLLM } from './llm-watchdog.ts';
import { DeafnessWatchdogSTT } from './stt-watchdog.ts';
import { StallWatchdogTTS } from './tts-watchdog.ts';
import { closedPort, watchNetwork } from './testing.ts';

const ALL_KEYS = {
  DEEPGRAM_API_KEY: 'dg-test',
  OPENAI_API_KEY: 'sk-test',
  ELEVENLABS_API_KEY: 'el-test',
};
const VOICED: Persona = {
  ...triage,
  voice: { elevenLabsVoiceId: '21m00Tcm4TlvDq8ikWAM', espeakVoice: 'en-gb' },
};

let vad: VAD;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  vad = await loadVad({ vadMinSilenceMs: 400 });
});
afterAll(async () => {
  await vad.close();
});

/** The offline recognizer, primed with the persona's words as the call runner would. */
const recognizer = () =>
  new PocketsphinxSTT({ phrases: triage.offline.intents.flatMap((i) => i.phrases) });

function offline(extra: Partial<OfflineVoice> = {}): OfflineVoice {
  return { espeakVoice: 'en-gb', ...extra };
}

describe('buildCallVoice', () => {
  it('runs on the offline pieces without keys', () => {
    const rules = new RulesLLM(triage, testCall());
    const v = buildCallVoice(parseVoiceSettings({}), triage, vad, offline({ llm: rules }));
    expect(v.stt).toBeUndefined();
    expect(v.llm).toBe(rules);
    expect(v.tts).toBeInstanceOf(EspeakTTS);
    expect((v.tts as EspeakTTS).options.voice).toBe('en-gb');
    expect(v.vad).toBe(vad);
    expect(v.greeting).toEqual({ engine: v.tts, voice: 'espeak-ng/en-gb/170wpm/p45' });
    expect(v.describe).toEqual({
      stt: 'offline',
      llm: 'offline',
      tts: 'offline/espeak-ng/en-gb/170wpm/p45',
      turn: 'livekit/turn-detector-v1-mini',
    });
    expect(v.turnHandling.turnDetection).toBeInstanceOf(inference.TurnDetector);
    expect(v.turnHandling.endpointing).toMatchObject({ minDelay: 400, maxDelay: 3000 });
  });

  it('uses the offline recognizer when Deepgram is not configured', () => {
    const ears = recognizer();
    const v = buildCallVoice(parseVoiceSettings({}), triage, vad, offline({ stt: ears }));
    expect(v.stt).toBe(ears);
  });

  it('puts every cloud piece first, with its offline counterpart as failover, without connecting', async () => {
    const rules = new RulesLLM(VOICED, testCall());
    const offlineEars = recognizer();
    const watch = watchNetwork();
    const v = buildCallVoice(
      parseVoiceSettings(ALL_KEYS),
      VOICED,
      vad,
      offline({ llm: rules, stt: offlineEars }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.stop();
    expect(watch.events).toEqual([]);

    expect(v.stt).toBeInstanceOf(stt.FallbackAdapter);
    const ears = v.stt as stt.FallbackAdapter;
    // Deepgram behind the watchdog that notices a stream gone deaf mid-call.
    const cloudEars = ears.sttInstances[0];
    expect(cloudEars).toBeInstanceOf(DeafnessWatchdogSTT);
    expect((cloudEars as DeafnessWatchdogSTT).inner).toBeInstanceOf(deepgram.STT);
    expect(cloudEars?.label).toBe('deepgram.STT');
    expect(ears.sttInstances[1]).toBe(offlineEars);

    expect(v.llm).toBeInstanceOf(llm.FallbackAdapter);
    const brain = v.llm as llm.FallbackAdapter;
    // OpenAI behind the watchdog that notices a request that never gets a token.
    expect(brain.llms[0]).toBeInstanceOf(StallWatchdogLLM);
    expect((brain.llms[0] as StallWatchdogLLM).inner).toBeInstanceOf(openai.LLM);
    expect(brain.llms[0]?.model).toBe('gpt-4.1-mini');
    expect(brain.llms[1]).toBe(rules);

    expect(v.tts).toBeInstanceOf(tts.FallbackAdapter);
    const speech = v.tts as tts.FallbackAdapter;
    // ElevenLabs behind the watchdog that notices audio that stops coming.
    expect(speech.ttsInstances[0]).toBeInstanceOf(StallWatchdogTTS);
    expect((speech.ttsInstances[0] as StallWatchdogTTS).inner).toBeInstanceOf(elevenlabs.TTS);
    expect(speech.ttsInstances[1]).toBeInstanceOf(EspeakTTS);

    expect(v.greeting.engine).toBe(speech.ttsInstances[0]);
    expect(v.greeting.fallback).toBe(speech.ttsInstances[1]);
    expect(v.greeting.voice).toBe('elevenlabs/eleven_flash_v2_5/21m00Tcm4TlvDq8ikWAM/pcm_16000');
    expect(v.describe).toEqual({
      stt: 'deepgram/nova-3',
      llm: 'openai/gpt-4.1-mini',
      tts: 'elevenlabs/eleven_flash_v2_5',
      turn: 'livekit/turn-detector-v1-mini',
    });
    await speech.close();
  });

  it('uses a cloud piece alone when it has no offline counterpart', () => {
    const v = buildCallVoice(parseVoiceSettings(ALL_KEYS), triage, vad, offline());
    expect(v.stt).toBeInstanceOf(deepgram.STT);
    expect(v.llm).toBeInstanceOf(StallWatchdogLLM);
  });

  it('mixes cloud and offline pieces per provider in auto mode', () => {
    const rules = new RulesLLM(triage, testCall());
    const v = buildCallVoice(
      parseVoiceSettings({ DEEPGRAM_API_KEY: 'dg-test' }),
      triage,
      vad,
      offline({ llm: rules }),
    );
    expect(v.stt).toBeInstanceOf(deepgram.STT);
    expect(v.llm).toBe(rules);
    expect(v.tts).toBeInstanceOf(EspeakTTS);
  });

  it('prewarms the cloud LLM on request, at its configured server', async () => {
    const port = await closedPort();
    const settings = parseVoiceSettings({
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      OPENAI_MODEL: 'llama',
    });
    const v = buildCallVoice(settings, triage, vad, offline());
    const watch = watchNetwork();
    v.prewarm();
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.stop();
    expect(watch.events).toContain('undici:request:create');
    if (v.llm instanceof llm.LLM) await v.llm.aclose();
  });

  it('answers with the realtime model for the personas it is set for, the pipeline standing by', () => {
    const rules = new RulesLLM(triage, testCall());
    const settings = parseVoiceSettings({
      OPENAI_REALTIME_BASE_URL: 'http://realtime.internal:8000/v1',
      OPENAI_REALTIME_MODEL: 'rt-small',
      OPENAI_REALTIME_PERSONAS: 'triage',
    });
    const stt = recognizer();
    const v = buildCallVoice(settings, triage, vad, offline({ llm: rules, stt }));
    expect(v.llm).toBeInstanceOf(CallRealtimeModel);
    expect(v.realtime?.pipelineLlm).toBe(rules);
    expect(v.stt).toBe(stt);
    expect(v.describe.llm).toBe('openai-realtime/rt-small@realtime.internal:8000');
    const other = buildCallVoice(
      settings,
      { ...triage, name: 'overflow' },
      vad,
      offline({ llm: rules }),
    );
    expect(other.llm).toBe(rules);
    expect(other.realtime).toBeUndefined();
  });

  it('reports the realtime model failing as the LLM piece failing', () => {
    const settings = parseVoiceSettings({ OPENAI_REALTIME_API_KEY: 'sk-rt' });
    const v = buildCallVoice(
      settings,
      triage,
      vad,
      offline({ llm: new RulesLLM(triage, testCall()) }),
    );
    const failures: unknown[] = [];
    const stop = v.onProviderUnavailable((f) => failures.push(f));
    (v.llm as CallRealtimeModel).fail('the realtime session did not connect');
    (v.llm as CallRealtimeModel).fail('again');
    stop();
    expect(failures).toEqual([{ piece: 'llm', provider: 'openai-realtime/gpt-realtime' }]);
  });

  it('has nothing to prewarm offline', async () => {
    const v = buildCallVoice(parseVoiceSettings({}), triage, vad, offline());
    const watch = watchNetwork();
    v.prewarm();
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.stop();
    expect(watch.events).toEqual([]);
  });
});
