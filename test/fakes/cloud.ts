/**
 * All three FAKE cloud providers (Deepgram, OpenAI, ElevenLabs) started
 * together on 127.0.0.1 ephemeral ports, with the environment our agent
 * needs to use them and the base URLs the Python peer's plugins take.
 */
import { startFakeDeepgram, type FakeDeepgram, type FakeDeepgramCounters } from './deepgram.ts';
import {
  startFakeElevenLabs,
  type FakeElevenLabs,
  type FakeElevenLabsCounters,
} from './elevenlabs.ts';
import { latencyProfile, type LatencyProfile, type LatencyProfileName } from './latency.ts';
import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiCounters } from './openai.ts';
import type { SegmenterOptions } from './speech-segmenter.ts';

/** The model name the fakes are asked for (any name works; this one says what it is). */
export const FAKE_OPENAI_MODEL = 'fake-gpt-4.1-mini';

export type CloudFakesOptions = Readonly<{
  /** A profile name or a full profile (default `zero`). */
  profile?: LatencyProfileName | LatencyProfile;
  /** The fake STT's caller lines (see script.ts). */
  script?: readonly string[];
  fallbackTranscript?: string;
  segmenter?: Omit<SegmenterOptions, 'sampleRate'>;
  host?: string;
  /** Fixed ports (default: each picks a free one). */
  ports?: Readonly<{ deepgram?: number; openai?: number; elevenlabs?: number }>;
  log?: (line: string) => void;
}>;

export type CloudFakesCounters = Readonly<{
  deepgram: FakeDeepgramCounters;
  openai: FakeOpenAiCounters;
  elevenlabs: FakeElevenLabsCounters;
}>;

/** What a LiveKit Agents for Python worker passes its plugins (`base_url=`) and reads from its environment. */
export type PythonPluginUrls = Readonly<{
  /** `deepgram.STT(base_url=…)`: the whole `/v1/listen` URL. */
  deepgramBaseUrl: string;
  /** `openai.LLM(base_url=…)`, or `OPENAI_BASE_URL`. */
  openaiBaseUrl: string;
  /** `elevenlabs.TTS(base_url=…)`. */
  elevenlabsBaseUrl: string;
  /** Keys and the OpenAI base URL the Python plugins read from the environment. */
  env: Readonly<Record<string, string>>;
}>;

export type CloudFakes = Readonly<{
  profile: LatencyProfile;
  /** Our agent's environment: VOICE_MODE=cloud and every provider on its fake. */
  agentEnv: Readonly<Record<string, string>>;
  python: PythonPluginUrls;
  deepgram: FakeDeepgram;
  openai: FakeOpenAi;
  elevenlabs: FakeElevenLabs;
  counters: () => CloudFakesCounters;
  close: () => Promise<void>;
}>;

/**
 * @example
 * const fakes = await startCloudFakes({ profile: 'typical', script: ["I'd like to talk to a person."] });
 * const stack = await startStack({ slot: 6, name: 'x', agentEnv: fakes.agentEnv });
 * // … place calls …
 * fakes.counters().deepgram.finals; // 1
 * await fakes.close();
 */
export async function startCloudFakes(opts: CloudFakesOptions = {}): Promise<CloudFakes> {
  const profile =
    typeof opts.profile === 'object' ? opts.profile : latencyProfile(opts.profile ?? 'zero');
  const common = {
    profile,
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  };
  const [deepgram, openai, elevenlabs] = await Promise.all([
    startFakeDeepgram({
      ...common,
      ...(opts.script ? { script: opts.script } : {}),
      ...(opts.fallbackTranscript ? { fallbackTranscript: opts.fallbackTranscript } : {}),
      ...(opts.segmenter ? { segmenter: opts.segmenter } : {}),
      ...(opts.ports?.deepgram ? { port: opts.ports.deepgram } : {}),
    }),
    startFakeOpenAi({
      ...common,
      ...(opts.script ? { script: opts.script } : {}),
      ...(opts.fallbackTranscript ? { fallbackTranscript: opts.fallbackTranscript } : {}),
      ...(opts.ports?.openai ? { port: opts.ports.openai } : {}),
    }),
    startFakeElevenLabs({
      ...common,
      ...(opts.ports?.elevenlabs ? { port: opts.ports.elevenlabs } : {}),
    }),
  ]);
  const keys = {
    DEEPGRAM_API_KEY: 'fake-deepgram-key',
    OPENAI_API_KEY: 'fake-openai-key',
    ELEVENLABS_API_KEY: 'fake-elevenlabs-key',
  };
  return Object.freeze({
    profile,
    agentEnv: Object.freeze({
      VOICE_MODE: 'cloud',
      ...keys,
      DEEPGRAM_BASE_URL: deepgram.url,
      OPENAI_BASE_URL: openai.url,
      OPENAI_MODEL: FAKE_OPENAI_MODEL,
      ELEVENLABS_BASE_URL: elevenlabs.url,
    }),
    python: Object.freeze({
      deepgramBaseUrl: deepgram.listenUrl,
      openaiBaseUrl: openai.url,
      elevenlabsBaseUrl: elevenlabs.url,
      env: Object.freeze({
        ...keys,
        // livekit-plugins-elevenlabs reads ELEVEN_API_KEY.
        ELEVEN_API_KEY: keys.ELEVENLABS_API_KEY,
        OPENAI_BASE_URL: openai.url,
      }),
    }),
    deepgram,
    openai,
    elevenlabs,
    counters: () => ({
      deepgram: deepgram.counters(),
      openai: openai.counters(),
      elevenlabs: elevenlabs.counters(),
    }),
    close: async () => {
      await Promise.all([deepgram.close(), openai.close(), elevenlabs.close()]);
    },
  });
}
