/**
 * The cloud voice providers, configured for phone calls. Constructing them
 * opens no connection: Deepgram and ElevenLabs connect when a stream starts,
 * OpenAI on the first chat (or `prewarm()`).
 *
 * Every option the plugins would otherwise read from `process.env` is passed
 * explicitly, so `config.ts` stays the only reader of the environment.
 */
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { tokenize, tts, type VAD } from '@livekit/agents';
import type { Persona } from '../../personas/persona.ts';
import { SegmentedSTT } from './segmented-stt.ts';
import type {
  DeepgramSettings,
  ElevenLabsSettings,
  OpenAiSettings,
  OpenAiSttSettings,
  OpenAiTtsSettings,
  TurnSettings,
} from './settings.ts';

/**
 * The rate audio is sent to Deepgram at. A Genesys trunk carries G.711 at
 * 8 kHz; livekit-sip upsamples it to 48 kHz Opus and the agent's room input
 * hands frames over at 16 kHz (audio/rates.ts), but nothing above 4 kHz
 * survived the phone line. Sending 8 kHz keeps the native band (Deepgram
 * advises against upsampling), halves the upload and is what its phone-call
 * training data sounds like. The watchdog halves 16 kHz frames (see
 * stt-watchdog.ts); the plugin's stream resamples any other rate.
 * A trunk negotiated to wideband G.722 would want 16000 here.
 */
export const STT_SAMPLE_RATE = 8000;

/**
 * ElevenLabs output: raw PCM (the plugin only decodes PCM) at 16 kHz, the
 * lowest rate the plugin declares. Everything above 4 kHz is cut by the
 * phone line anyway, so a higher rate only costs bandwidth and resampling;
 * the 8 kHz downsampling happens once, in livekit-sip.
 */
export const ELEVENLABS_ENCODING = 'pcm_16000' satisfies elevenlabs.TTSEncoding;

/** Deepgram models that take `keyterm` prompting; older ones take boosted `keywords`. */
const KEYTERM_MODELS = /^nova-3/;
/** Boost for `keywords` on pre-nova-3 models; Deepgram advises small values. */
const KEYWORD_BOOST = 2;

type DeepgramCallOptions = Readonly<{
  endpointingMs: TurnSettings['sttEndpointingMs'];
  keyterms: Persona['keyterms'];
}>;

/**
 * The Deepgram options for an 8 kHz call: streaming, interim results (for
 * barge-in and preemptive replies), the persona's key terms, and the
 * configured server when there is one.
 *
 * @example
 * deepgramSttOptions(settings.stt, { endpointingMs: 25, keyterms: ['refund'] }).keyterm; // ['refund']
 */
export function deepgramSttOptions(
  settings: DeepgramSettings,
  opts: DeepgramCallOptions,
): Partial<deepgram.STTOptions> {
  const terms = [...new Set(opts.keyterms)];
  const keytermModel = KEYTERM_MODELS.test(settings.model);
  return {
    apiKey: settings.apiKey,
    model: settings.model,
    language: settings.language,
    sampleRate: STT_SAMPLE_RATE,
    numChannels: 1,
    interimResults: true,
    punctuate: true,
    smartFormat: true,
    noDelay: true,
    endpointing: opts.endpointingMs,
    fillerWords: false,
    keyterm: keytermModel ? terms : [],
    keywords: keytermModel ? [] : terms.map((t): [string, number] => [t, KEYWORD_BOOST]),
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
  };
}

/**
 * Streaming Deepgram STT with {@link deepgramSttOptions}.
 *
 * @example
 * const stt = deepgramStt(settings.stt, { endpointingMs: settings.turn.sttEndpointingMs, keyterms: persona.keyterms });
 */
export function deepgramStt(settings: DeepgramSettings, opts: DeepgramCallOptions): deepgram.STT {
  return new deepgram.STT(deepgramSttOptions(settings, opts));
}

/**
 * OpenAI chat completions, or any OpenAI-compatible server at `baseURL`.
 *
 * @example
 * const brain = openAiLlm({ provider: 'openai', apiKey: 'sk-…', model: 'gpt-4.1-mini', baseURL: undefined });
 */
export function openAiLlm(settings: OpenAiSettings): openai.LLM {
  return new openai.LLM({
    apiKey: settings.apiKey,
    model: settings.model,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
  });
}

/**
 * The ElevenLabs voice a persona speaks with: its own, else the configured default.
 *
 * @example
 * elevenLabsVoiceId(settings.tts, persona.voice); // 'bIHbv24MWmeRgasZH58o'
 */
export function elevenLabsVoiceId(settings: ElevenLabsSettings, voice: Persona['voice']): string {
  return voice.elevenLabsVoiceId ?? settings.voiceId;
}

/**
 * The ElevenLabs options: the persona's voice, 16 kHz PCM, the plugin's
 * sentence-level auto mode (lowest latency for whole sentences from the
 * LLM), and the configured API root when there is one.
 *
 * @example
 * elevenLabsTtsOptions(settings.tts, persona.voice).encoding; // 'pcm_16000'
 */
export function elevenLabsTtsOptions(
  settings: ElevenLabsSettings,
  voice: Persona['voice'],
): elevenlabs.TTSOptions {
  return {
    apiKey: settings.apiKey,
    model: settings.model,
    voiceId: elevenLabsVoiceId(settings, voice),
    encoding: ELEVENLABS_ENCODING,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
  };
}

/**
 * What distinguishes one ElevenLabs rendering of a text from another, for
 * the greeting cache: model, voice, encoding, and the server when it is not
 * ElevenLabs' own (another server's audio must never be replayed as its).
 *
 * @example
 * elevenLabsVoiceIdentity(settings.tts, persona.voice); // 'elevenlabs/eleven_flash_v2_5/bIHbv24MWmeRgasZH58o/pcm_16000'
 */
export function elevenLabsVoiceIdentity(
  settings: ElevenLabsSettings,
  voice: Persona['voice'],
): string {
  const server = settings.baseURL ? `@${new URL(settings.baseURL).host}` : '';
  return `elevenlabs${server}/${settings.model}/${elevenLabsVoiceId(settings, voice)}/${ELEVENLABS_ENCODING}`;
}

/**
 * Streaming ElevenLabs TTS (WebSocket) with {@link elevenLabsTtsOptions}.
 *
 * @example
 * const speech = elevenLabsTts(settings.tts, persona.voice);
 */
export function elevenLabsTts(
  settings: ElevenLabsSettings,
  voice: Persona['voice'],
): elevenlabs.TTS {
  return new elevenlabs.TTS(elevenLabsTtsOptions(settings, voice));
}

/**
 * Speech-to-text over the OpenAI transcription API (OpenAI's, or a
 * self-hosted server's at `baseURL`): one request per utterance, cut by the
 * VAD (segmented-stt.ts). The persona's key terms go in the prompt, which
 * Whisper-style models take as spelling hints.
 *
 * @example
 * const ears = openAiStt(settings.stt, vad, persona.keyterms);
 */
export function openAiStt(
  settings: OpenAiSttSettings,
  vad: VAD,
  keyterms: Persona['keyterms'],
): SegmentedSTT {
  const terms = [...new Set(keyterms)];
  const inner = new openai.STT({
    apiKey: settings.apiKey,
    model: settings.model,
    language: settings.language,
    detectLanguage: false,
    useRealtime: false,
    ...(terms.length > 0 ? { prompt: terms.join(', ') } : {}),
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
  });
  return new SegmentedSTT(inner, vad);
}

/** The OpenAI speech API's PCM: 24 kHz mono, whatever the model. */
export const OPENAI_TTS_ENCODING = 'pcm_24000';

/**
 * Text-to-speech over the OpenAI speech API (OpenAI's, or a self-hosted
 * server's at `baseURL`). The API takes whole texts and streams the audio
 * back as it renders; sentence by sentence (the framework's adapter), the
 * first sentence plays while the LLM writes the next.
 *
 * @example
 * const speech = openAiTts(settings.tts);
 */
export function openAiTts(settings: OpenAiTtsSettings): tts.TTS {
  const inner = new openai.TTS({
    apiKey: settings.apiKey,
    model: settings.model,
    // Self-hosted servers name their own voices; the plugin's type lists OpenAI's.
    voice: settings.voice as openai.TTSVoices,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
  });
  return new tts.StreamAdapter(inner, new tokenize.basic.SentenceTokenizer());
}

/**
 * What distinguishes one OpenAI-API rendering of a text from another, for
 * the greeting cache (as {@link elevenLabsVoiceIdentity}).
 *
 * @example
 * openAiVoiceIdentity({ provider: 'openai', model: 'kokoro', voice: 'af_heart', apiKey: 'x', baseURL: 'http://tts.internal:8880/v1' });
 * // 'openai@tts.internal:8880/kokoro/af_heart/pcm_24000'
 */
export function openAiVoiceIdentity(settings: OpenAiTtsSettings): string {
  const server = settings.baseURL ? `@${new URL(settings.baseURL).host}` : '';
  return `openai${server}/${settings.model}/${settings.voice}/${OPENAI_TTS_ENCODING}`;
}
