import { initializeLogger } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deepgramStt,
  deepgramSttOptions,
  ELEVENLABS_ENCODING,
  elevenLabsTts,
  elevenLabsTtsOptions,
  elevenLabsVoiceId,
  elevenLabsVoiceIdentity,
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
  baseUrl: undefined,
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
  baseURL: undefined,
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** A loopback server that records the WebSocket upgrades it is asked for and refuses them. */
async function upgradeRecorder() {
  const upgrades: { url: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const arrived = async () => {
    for (let i = 0; i < 100 && upgrades.length === 0; i++) await settle();
    return upgrades;
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { port, arrived, close };
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  cleanups = [];
});

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

  it('leaves the server to the plugin unless DEEPGRAM_BASE_URL named one', () => {
    const opts = { endpointingMs: 25, keyterms: [] };
    expect(deepgramSttOptions(DEEPGRAM, opts)).not.toHaveProperty('baseUrl');
    expect(
      deepgramSttOptions({ ...DEEPGRAM, baseUrl: 'wss://deepgram.internal' }, opts).baseUrl,
    ).toBe('wss://deepgram.internal');
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

  it('streams 8 kHz linear16 to /v1/listen on the configured server', async () => {
    const server = await upgradeRecorder();
    cleanups.push(server.close);
    const stt = deepgramStt(
      { ...DEEPGRAM, baseUrl: `ws://127.0.0.1:${server.port}` },
      { endpointingMs: 25, keyterms: [] },
    );
    const stream = stt.stream();
    cleanups.push(
      () => stream.close(),
      () => stt.close(),
    );
    const [first] = await server.arrived();
    const url = new URL(first?.url ?? '', 'ws://x');
    expect(url.pathname).toBe('/v1/listen');
    expect(url.searchParams.get('sample_rate')).toBe('8000');
    expect(url.searchParams.get('encoding')).toBe('linear16');
    expect(first?.headers['authorization']).toBe('Token dg-test-key');
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

  it('leaves the API root to the plugin unless ELEVENLABS_BASE_URL named one', () => {
    expect(elevenLabsTtsOptions(ELEVENLABS, {})).not.toHaveProperty('baseURL');
    expect(
      elevenLabsTtsOptions({ ...ELEVENLABS, baseURL: 'https://tts.internal/v1' }, {}).baseURL,
    ).toBe('https://tts.internal/v1');
  });
});

describe('elevenLabsVoiceIdentity', () => {
  it('names model, voice and encoding, and a server that is not ElevenLabs', () => {
    expect(elevenLabsVoiceIdentity(ELEVENLABS, {})).toBe(
      'elevenlabs/eleven_flash_v2_5/bIHbv24MWmeRgasZH58o/pcm_16000',
    );
    expect(
      elevenLabsVoiceIdentity({ ...ELEVENLABS, baseURL: 'http://127.0.0.1:4010/v1' }, {}),
    ).toBe('elevenlabs@127.0.0.1:4010/eleven_flash_v2_5/bIHbv24MWmeRgasZH58o/pcm_16000');
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

  it('opens multi-stream-input for 16 kHz PCM under the configured API root', async () => {
    const server = await upgradeRecorder();
    cleanups.push(server.close);
    const speech = elevenLabsTts(
      { ...ELEVENLABS, baseURL: `http://127.0.0.1:${server.port}/v1` },
      {},
    );
    cleanups.push(() => speech.close());
    const stream = speech.stream();
    cleanups.push(() => stream.close());
    stream.pushText('Hello.');
    stream.endInput();
    // The connection is refused: drain the stream so its failure is observed.
    void (async () => {
      try {
        for await (const _ of stream) void _;
      } catch {
        // expected: nothing answers
      }
    })();
    const [first] = await server.arrived();
    const url = new URL(first?.url ?? '', 'ws://x');
    expect(url.pathname).toBe('/v1/text-to-speech/bIHbv24MWmeRgasZH58o/multi-stream-input');
    expect(url.searchParams.get('output_format')).toBe('pcm_16000');
    expect(first?.headers['xi-api-key']).toBe('el-test-key');
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
