import { initializeLogger } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deepgramStt,
  deepgramSttOptions,
  ELEVENLABS_ENCODING,
  elevenLabsTts,
  elevenLabsTtsOptions,
  elevenLabsVoiceId,
  openAiLlm,
  STT_SAMPLE_RATE,
} from './cloud.ts';
import type { DeepgramSettings, ElevenLabsSettings, OpenAiSettings } from './settings.ts';
import { closedPort, watchNetwork } from './testing.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

const DEEPGRAM: DeepgramSettings = {
  provider: 'deepgram',
  apiKey: 'dg-test-key',
  model: 'nova-3',
  language: 'en-US',
};
const OPENAI: OpenAiSettings = {
  provider: 'openai',
  apiKey: 'sk-test-key',
  model: 'gpt-4.1-mini',
  baseURL: undefined,
};
const ELEVENLABS: ElevenLabsSettings = {
  provider: 'elevenlabs',
  apiKey: 'el-test-key',
  model: 'eleven_flash_v2_5',
  voiceId: 'bIHbv24MWmeRgasZH58o',
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('deepgramSttOptions', () => {
  it('streams 8 kHz mono with interim results, the endpointing and the persona key terms', () => {
    expect(
      deepgramSttOptions(DEEPGRAM, {
        endpointingMs: 25,
        keyterms: ['refund', 'invoice', 'refund'],
      }),
    ).toEqual({
      apiKey: 'dg-test-key',
      model: 'nova-3',
      language: 'en-US',
      sampleRate: 8000,
      numChannels: 1,
      interimResults: true,
      punctuate: true,
      smartFormat: true,
      noDelay: true,
      endpointing: 25,
      fillerWords: false,
      keyterm: ['refund', 'invoice'],
      keywords: [],
    });
    expect(STT_SAMPLE_RATE).toBe(8000);
  });

  it('boosts the key terms as keywords on models before nova-3', () => {
    const opts = deepgramSttOptions(
      { ...DEEPGRAM, model: 'nova-2-phonecall' },
      { endpointingMs: 25, keyterms: ['refund'] },
    );
    expect(opts.keyterm).toEqual([]);
    expect(opts.keywords).toEqual([['refund', 2]]);
  });
});

describe('deepgramStt', () => {
  it('builds the Deepgram streaming STT without connecting', async () => {
    const watch = watchNetwork();
    const stt = deepgramStt(DEEPGRAM, { endpointingMs: 25, keyterms: ['bill'] });
    await settle();
    watch.stop();
    expect(stt).toBeInstanceOf(deepgram.STT);
    expect(stt.model).toBe('nova-3');
    expect(stt.provider).toBe('Deepgram');
    expect(stt.capabilities).toMatchObject({
      streaming: true,
      interimResults: true,
      keyterms: true,
    });
    expect(watch.events).toEqual([]);
    await stt.close();
  });
});

describe('openAiLlm', () => {
  it('builds the OpenAI LLM without connecting', async () => {
    const watch = watchNetwork();
    const brain = openAiLlm(OPENAI);
    await settle();
    watch.stop();
    expect(brain).toBeInstanceOf(openai.LLM);
    expect(brain.model).toBe('gpt-4.1-mini');
    expect(brain.provider).toBe('api.openai.com');
    expect(watch.events).toEqual([]);
  });

  it('talks to an OpenAI-compatible server at OPENAI_BASE_URL', async () => {
    const port = await closedPort();
    const brain = openAiLlm({ ...OPENAI, baseURL: `http://127.0.0.1:${port}/v1`, model: 'llama' });
    expect(brain.provider).toBe(`127.0.0.1:${port}`);
    expect(brain.model).toBe('llama');

    // The first request (prewarm's model list) goes to that server: here, a refused local port.
    const watch = watchNetwork();
    brain.prewarm();
    await settle();
    watch.stop();
    expect(watch.events).toContain('undici:request:create');
    await brain.aclose();
  });
});

describe('elevenLabsTtsOptions', () => {
  it('speaks 16 kHz PCM with the configured model', () => {
    expect(elevenLabsTtsOptions(ELEVENLABS, {})).toEqual({
      apiKey: 'el-test-key',
      model: 'eleven_flash_v2_5',
      voiceId: 'bIHbv24MWmeRgasZH58o',
      encoding: 'pcm_16000',
    });
    expect(ELEVENLABS_ENCODING).toBe('pcm_16000');
  });

  it("prefers the persona's voice over the default", () => {
    const voice = { elevenLabsVoiceId: '21m00Tcm4TlvDq8ikWAM' };
    expect(elevenLabsVoiceId(ELEVENLABS, voice)).toBe('21m00Tcm4TlvDq8ikWAM');
    expect(elevenLabsTtsOptions(ELEVENLABS, voice).voiceId).toBe('21m00Tcm4TlvDq8ikWAM');
    expect(elevenLabsVoiceId(ELEVENLABS, { espeakVoice: 'en-gb' })).toBe('bIHbv24MWmeRgasZH58o');
  });
});

describe('elevenLabsTts', () => {
  it('builds the streaming ElevenLabs TTS at 16 kHz without connecting', async () => {
    const watch = watchNetwork();
    const speech = elevenLabsTts(ELEVENLABS, {});
    await settle();
    watch.stop();
    expect(speech).toBeInstanceOf(elevenlabs.TTS);
    expect(speech.sampleRate).toBe(16000);
    expect(speech.numChannels).toBe(1);
    expect(speech.model).toBe('eleven_flash_v2_5');
    expect(speech.provider).toBe('ElevenLabs');
    expect(speech.capabilities.streaming).toBe(true);
    expect(watch.events).toEqual([]);
    await speech.close();
  });
});

describe('watchNetwork', () => {
  it('sees a connection attempt (so an empty list means none was made)', async () => {
    const port = await closedPort();
    const watch = watchNetwork();
    await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    watch.stop();
    expect(watch.events).toContain('net.client.socket');
  });
});
