import { APIConnectionError, initializeLogger, llm, stt, tts, type VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import type { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCall } from '../../personas/testing/index.ts';
import triage from '../../personas/triage.ts';
import { ESPEAK_SAMPLE_RATE, EspeakTTS } from '../offline/espeak-tts.ts';
import { RulesLLM } from '../offline/rules-llm.ts';
import { openAiLlm } from './cloud.ts';
import {
  LLM_ATTEMPT_TIMEOUT_S,
  llmWithFallback,
  sttWithFallback,
  TTS_MAX_RETRY,
  TTS_RECOVERY_DELAY_MS,
  ttsWithFallback,
} from './fallback.ts';
import { loadVad } from './local-models.ts';
import { closedPort, collectUnhandledRejections } from './testing.ts';

/** What the persona's rules engine can say: proof a reply came from it. */
const offlineReplies = [
  ...triage.offline.intents.flatMap((i) => (i.say ? [i.say] : [])),
  triage.offline.noMatch,
];

/** An OpenAI-compatible endpoint on a refused loopback port: fails fast, costs nothing. */
async function unreachableOpenAi(): Promise<openai.LLM> {
  const port = await closedPort();
  return openAiLlm({
    provider: 'openai',
    apiKey: 'unused',
    model: 'gpt-4.1-mini',
    baseURL: `http://127.0.0.1:${port}/v1`,
  });
}

let vad: VAD;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  vad = await loadVad({ vadMinSilenceMs: 400 });
});
afterAll(async () => {
  await vad.close();
});

describe('llmWithFallback', () => {
  it('is the primary alone without a fallback', async () => {
    const primary = await unreachableOpenAi();
    expect(llmWithFallback(primary, undefined)).toBe(primary);
  });

  it('puts the primary first, the fallback second, with phone-call timings', async () => {
    const primary = await unreachableOpenAi();
    const rules = new RulesLLM(triage, testCall());
    const brain = llmWithFallback(primary, rules);
    expect(brain).toBeInstanceOf(llm.FallbackAdapter);
    const adapter = brain as llm.FallbackAdapter;
    expect(adapter.llms).toEqual([primary, rules]);
    expect(adapter.attemptTimeout).toBe(LLM_ATTEMPT_TIMEOUT_S);
    expect(adapter.maxRetryPerLLM).toBe(0);
    expect(adapter.retryOnChunkSent).toBe(false);
  });

  it('answers with the rules engine when the OpenAI server cannot be reached', async () => {
    const brain = llmWithFallback(await unreachableOpenAi(), new RulesLLM(triage, testCall()));
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'user', content: 'I have a question about my bill' });
    let text = '';
    for await (const chunk of brain.chat({ chatCtx })) text += chunk.delta?.content ?? '';
    expect(offlineReplies).toContain(text);
  });
});

describe('ttsWithFallback', () => {
  it('falls back from ElevenLabs to espeak-ng, at the higher sample rate', async () => {
    const primary = new elevenlabs.TTS({ apiKey: 'unused', encoding: 'pcm_16000' });
    const espeak = new EspeakTTS();
    const speech = ttsWithFallback(primary, espeak);
    expect(speech).toBeInstanceOf(tts.FallbackAdapter);
    expect(speech.ttsInstances).toEqual([primary, espeak]);
    expect(speech.sampleRate).toBe(ESPEAK_SAMPLE_RATE);
    expect(speech.capabilities.streaming).toBe(true);
    expect(speech.maxRetryPerTTS).toBe(TTS_MAX_RETRY);
    expect(speech.recoveryDelayMs).toBe(TTS_RECOVERY_DELAY_MS);
    await speech.close();
  });

  it('speaks with espeak-ng when ElevenLabs cannot be reached, without retrying first', async () => {
    const port = await closedPort();
    const primary = new elevenlabs.TTS({
      apiKey: 'unused',
      encoding: 'pcm_16000',
      baseURL: `http://127.0.0.1:${port}/v1`,
    });
    const speech = ttsWithFallback(primary, new EspeakTTS());
    // A session listens for these; here the failure shows in the status below.
    const errors: string[] = [];
    speech.on('error', (e) => errors.push(e.label));
    const started = performance.now();
    const { result, rejections } = await collectUnhandledRejections(async () => {
      try {
        // The session's path: a streaming synthesis fed sentence by sentence.
        const stream = speech.stream();
        stream.pushText('Thank you for calling.');
        stream.endInput();
        const frames: AudioFrame[] = [];
        let firstAudioMs: number | undefined;
        for await (const audio of stream) {
          if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
          firstAudioMs ??= performance.now() - started;
          frames.push(audio.frame);
        }
        return { frames, firstAudioMs };
      } finally {
        await speech.close();
      }
    });
    const seconds = result.frames.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0);
    expect(new Set(result.frames.map((f) => f.sampleRate))).toEqual(new Set([ESPEAK_SAMPLE_RATE]));
    expect(seconds).toBeGreaterThan(0.5);
    // A refused connection fails over at once: TTS_MAX_RETRY = 0 spends no retry delay.
    expect(result.firstAudioMs).toBeLessThan(1500);
    expect(speech.status.map((s) => s.available)).toEqual([false, true]);
    expect(errors).toContain('elevenlabs.TTS');
    for (const reason of rejections) expect(reason).toBeInstanceOf(APIConnectionError);
  });
});

describe('sttWithFallback', () => {
  it('is the primary alone without a fallback', () => {
    const primary = new deepgram.STT({ apiKey: 'unused' });
    expect(sttWithFallback(primary, undefined, vad)).toBe(primary);
  });

  it('puts the primary first and wraps a non-streaming fallback with the VAD', () => {
    const primary = new deepgram.STT({ apiKey: 'unused' });
    const batch = new openai.STT({ apiKey: 'unused', useRealtime: false });
    expect(batch.capabilities.streaming).toBe(false);
    const ears = sttWithFallback(primary, batch, vad);
    expect(ears).toBeInstanceOf(stt.FallbackAdapter);
    const adapter = ears as stt.FallbackAdapter;
    expect(adapter.sttInstances[0]).toBe(primary);
    expect(adapter.sttInstances[1]).toBeInstanceOf(stt.StreamAdapter);
    expect(adapter.capabilities.streaming).toBe(true);
  });
});
