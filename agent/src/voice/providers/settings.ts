/**
 * The voice providers' configuration: which speech-to-text, LLM and
 * text-to-speech each call uses, and the turn-taking tuning for phone audio.
 * Parsed from the environment by `config.ts`, validated, frozen.
 *
 * STT is Deepgram or OpenAI-compatible, TTS ElevenLabs or OpenAI-compatible
 * (openai-speech-settings.ts), the LLM OpenAI-compatible. VOICE_MODE decides
 * per piece (STT, LLM, TTS), independently:
 * - `auto` (default): a piece is cloud when its key is set, offline otherwise;
 * - `cloud`: every piece must be cloud; a missing key is a configuration error;
 * - `offline`: every piece is offline, whatever keys are set.
 */
import { z } from 'zod';
import { deepFreeze } from '../../../../contracts/freeze.ts';
export {
  MIN_VAD_SILENCE_MS,
  NO_API_KEY_PLACEHOLDER,
  PROVIDER_DEFAULTS,
  TELEPHONY_TURN_DEFAULTS,
  VoiceSettingsError,
} from './voice-settings.ts';
export type {
  DeepgramSettings,
  ElevenLabsSettings,
  OfflinePiece,
  OpenAiRealtimeSettings,
  OpenAiSettings,
  OpenAiSttSettings,
  OpenAiTtsSettings,
  TurnSettings,
  VoiceMode,
  VoiceSettings,
} from './voice-settings.ts';
export { OPENAI_SPEECH_DEFAULTS } from './openai-speech-settings.ts';
import {
  openAiRealtimeChecks,
  openAiRealtimeChosen,
  openAiRealtimeFields,
  openAiRealtimePiece,
} from './realtime-settings.ts';
export { OPENAI_REALTIME_DEFAULTS, realtimeFor } from './realtime-settings.ts';
import {
  MIN_VAD_SILENCE_MS,
  NO_API_KEY_PLACEHOLDER,
  PROVIDER_DEFAULTS,
  TELEPHONY_TURN_DEFAULTS,
  VoiceSettingsError,
  type DeepgramSettings,
  type ElevenLabsSettings,
  type OfflinePiece,
  type OpenAiSettings,
  type OpenAiSttSettings,
  type OpenAiTtsSettings,
  type VoiceSettings,
} from './voice-settings.ts';
import {
  openAiSpeechChecks,
  openAiSpeechFields,
  openAiSttChosen,
  openAiSttPiece,
  openAiTtsChosen,
  openAiTtsPiece,
} from './openai-speech-settings.ts';

const apiKey = z
  .string()
  .regex(/^\S+$/, 'must not contain spaces (check for a stray space or newline)');

const millis = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`)
    .default(fallback);

const flag = (fallback: boolean) =>
  z.stringbool({ error: 'must be true or false' }).default(fallback);

const fields = z.object({
  VOICE_MODE: z
    .enum(['auto', 'cloud', 'offline'], { error: 'must be auto, cloud or offline' })
    .default('auto'),

  DEEPGRAM_API_KEY: apiKey.optional(),
  DEEPGRAM_MODEL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be a Deepgram model name such as nova-3')
    .refine(
      (m) => !m.startsWith('flux'),
      'flux models use Deepgram /v2/listen, which this agent does not drive; use nova-3',
    )
    .default(PROVIDER_DEFAULTS.deepgramModel),
  DEEPGRAM_LANGUAGE: z
    .string()
    .regex(/^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|multi)$/, 'must be a language code such as en-US')
    .default(PROVIDER_DEFAULTS.deepgramLanguage),
  DEEPGRAM_BASE_URL: z
    .url({ protocol: /^(wss?|https?)$/, error: 'must be a ws://, wss://, http:// or https:// URL' })
    .refine(
      (u) => !URL.canParse(u) || !/\/v1\/listen\/?$/.test(new URL(u).pathname),
      'must be the server only (e.g. wss://deepgram.internal): the agent appends /v1/listen',
    )
    .transform(deepgramStreamingUrl)
    .optional(),

  OPENAI_API_KEY: apiKey.optional(),
  OPENAI_MODEL: z.string().regex(/^\S+$/, 'must be a model name').optional(),
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),

  ELEVENLABS_API_KEY: apiKey.optional(),
  ELEVENLABS_MODEL: z
    .string()
    .regex(/^eleven_[a-z0-9_]+$/, 'must be an ElevenLabs model id such as eleven_flash_v2_5')
    .default(PROVIDER_DEFAULTS.elevenLabsModel),
  ELEVENLABS_VOICE_ID: z
    .string()
    .regex(
      /^[A-Za-z0-9]{16,32}$/,
      'must be an ElevenLabs voice id (20 letters and digits), not a voice name',
    )
    .default(PROVIDER_DEFAULTS.elevenLabsVoiceId),
  ELEVENLABS_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),

  ...openAiSpeechFields,
  ...openAiRealtimeFields,

  ENDPOINTING_MS: millis(0, 2000, TELEPHONY_TURN_DEFAULTS.sttEndpointingMs),
  MIN_ENDPOINTING_DELAY_MS: millis(0, 10_000, TELEPHONY_TURN_DEFAULTS.minEndpointingDelayMs),
  MAX_ENDPOINTING_DELAY_MS: millis(0, 30_000, TELEPHONY_TURN_DEFAULTS.maxEndpointingDelayMs),
  VAD_MIN_SILENCE_MS: millis(MIN_VAD_SILENCE_MS, 5000, TELEPHONY_TURN_DEFAULTS.vadMinSilenceMs),
  ALLOW_INTERRUPTIONS: flag(TELEPHONY_TURN_DEFAULTS.allowInterruptions),
  MIN_INTERRUPTION_DURATION_MS: millis(0, 5000, TELEPHONY_TURN_DEFAULTS.minInterruptionDurationMs),
  PREEMPTIVE_GENERATION: flag(TELEPHONY_TURN_DEFAULTS.preemptiveGeneration),
});

type Env = z.infer<typeof fields>;

/**
 * The WebSocket form of a Deepgram base URL, without a trailing slash: the
 * Node plugin opens `${baseUrl}/v1/listen` as a WebSocket (and its REST
 * fallback swaps `ws` back to `http`).
 */
function deepgramStreamingUrl(url: string): string {
  return url.replace(/^http/, 'ws').replace(/\/+$/, '');
}

/**
 * Checks across variables, on the raw values so they run even when another
 * variable is malformed (one run reports every problem). They only compare:
 * a malformed value passes them and is reported by its own check.
 */
function crossChecks(raw: Readonly<Record<string, string>>): string[] {
  const issues: string[] = [];
  const problem = (variable: string, message: string) => issues.push(`${variable}: ${message}`);
  const ms = (name: string, fallback: number) =>
    raw[name] === undefined ? fallback : Number(raw[name]);
  const mode = raw['VOICE_MODE'] ?? 'auto';
  const min = ms('MIN_ENDPOINTING_DELAY_MS', TELEPHONY_TURN_DEFAULTS.minEndpointingDelayMs);
  const max = ms('MAX_ENDPOINTING_DELAY_MS', TELEPHONY_TURN_DEFAULTS.maxEndpointingDelayMs);
  const sttEndpointing = ms('ENDPOINTING_MS', TELEPHONY_TURN_DEFAULTS.sttEndpointingMs);

  if (mode === 'cloud') {
    if (!raw['DEEPGRAM_API_KEY'] && !openAiSttChosen(raw))
      problem('DEEPGRAM_API_KEY', 'required when VOICE_MODE=cloud (or set OPENAI_STT_BASE_URL)');
    // The realtime model speaks and answers for every persona: the pipeline's
    // LLM and TTS only stand by. Personas it does not serve need them.
    const realtime = openAiRealtimeChosen(raw) && !raw['OPENAI_REALTIME_PERSONAS'];
    if (!raw['ELEVENLABS_API_KEY'] && !openAiTtsChosen(raw) && !realtime)
      problem('ELEVENLABS_API_KEY', 'required when VOICE_MODE=cloud (or set OPENAI_TTS_BASE_URL)');
    if (!raw['OPENAI_API_KEY'] && !raw['OPENAI_BASE_URL'] && !realtime)
      problem('OPENAI_API_KEY', 'required when VOICE_MODE=cloud (or set OPENAI_BASE_URL)');
  }
  if (raw['OPENAI_BASE_URL'] && !raw['OPENAI_MODEL'] && mode !== 'offline')
    problem('OPENAI_MODEL', 'required with OPENAI_BASE_URL: name a model that server serves');
  issues.push(...openAiSpeechChecks(raw, mode), ...openAiRealtimeChecks(raw, mode));
  if (min > max)
    problem('MIN_ENDPOINTING_DELAY_MS', `must not exceed MAX_ENDPOINTING_DELAY_MS (${max} ms)`);
  const deepgram = mode !== 'offline' && raw['DEEPGRAM_API_KEY'];
  if (deepgram && sttEndpointing > 0 && sttEndpointing >= min)
    problem(
      'ENDPOINTING_MS',
      `must be below MIN_ENDPOINTING_DELAY_MS (${min} ms), or transcripts arrive after the turn is over`,
    );
  return issues;
}

/**
 * Parses the provider environment. Empty variables count as unset. Secrets
 * never appear in errors.
 *
 * @throws {@link VoiceSettingsError} listing every invalid variable.
 * @example
 * const voice = parseVoiceSettings({ DEEPGRAM_API_KEY: 'dg-…', VOICE_MODE: 'auto' });
 * voice.stt; // { provider: 'deepgram', model: 'nova-3', language: 'en-US', apiKey: 'dg-…', baseUrl: undefined }
 * voice.llm; // { provider: 'offline' }: no OPENAI_API_KEY
 */
export function parseVoiceSettings(
  env: Readonly<Record<string, string | undefined>>,
): VoiceSettings {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value) set[name] = value;
  const parsed = fields.safeParse(set);
  const issues = [
    ...(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []),
    ...crossChecks(set),
  ];
  if (!parsed.success || issues.length > 0) throw new VoiceSettingsError(issues);
  const e = parsed.data;
  return deepFreeze({
    mode: e.VOICE_MODE,
    stt: sttPiece(e),
    llm: llmPiece(e),
    tts: ttsPiece(e),
    realtime: openAiRealtimePiece(e, e.VOICE_MODE),
    turn: {
      sttEndpointingMs: e.ENDPOINTING_MS,
      minEndpointingDelayMs: e.MIN_ENDPOINTING_DELAY_MS,
      maxEndpointingDelayMs: e.MAX_ENDPOINTING_DELAY_MS,
      vadMinSilenceMs: e.VAD_MIN_SILENCE_MS,
      allowInterruptions: e.ALLOW_INTERRUPTIONS,
      minInterruptionDurationMs: e.MIN_INTERRUPTION_DURATION_MS,
      preemptiveGeneration: e.PREEMPTIVE_GENERATION,
    },
  });
}

const OFFLINE: OfflinePiece = Object.freeze({ provider: 'offline' });

function sttPiece(e: Env): DeepgramSettings | OpenAiSttSettings | OfflinePiece {
  const openAi = openAiSttPiece(e, e.VOICE_MODE);
  if (openAi) return openAi;
  if (e.VOICE_MODE === 'offline' || !e.DEEPGRAM_API_KEY) return OFFLINE;
  return {
    provider: 'deepgram',
    apiKey: e.DEEPGRAM_API_KEY,
    model: e.DEEPGRAM_MODEL,
    language: e.DEEPGRAM_LANGUAGE,
    baseUrl: e.DEEPGRAM_BASE_URL,
  };
}

function llmPiece(e: Env): OpenAiSettings | OfflinePiece {
  if (e.VOICE_MODE === 'offline' || (!e.OPENAI_API_KEY && !e.OPENAI_BASE_URL)) return OFFLINE;
  return {
    provider: 'openai',
    apiKey: e.OPENAI_API_KEY ?? NO_API_KEY_PLACEHOLDER,
    model: e.OPENAI_MODEL ?? PROVIDER_DEFAULTS.openAiModel,
    baseURL: e.OPENAI_BASE_URL,
  };
}

function ttsPiece(e: Env): ElevenLabsSettings | OpenAiTtsSettings | OfflinePiece {
  const openAi = openAiTtsPiece(e, e.VOICE_MODE);
  if (openAi) return openAi;
  if (e.VOICE_MODE === 'offline' || !e.ELEVENLABS_API_KEY) return OFFLINE;
  return {
    provider: 'elevenlabs',
    apiKey: e.ELEVENLABS_API_KEY,
    model: e.ELEVENLABS_MODEL,
    voiceId: e.ELEVENLABS_VOICE_ID,
    baseURL: e.ELEVENLABS_BASE_URL,
  };
}

/**
 * What each piece runs on, without secrets: for the startup log line.
 *
 * @example
 * describeVoice(settings); // { stt: 'deepgram/nova-3', llm: 'offline', tts: 'elevenlabs/eleven_flash_v2_5' }
 */
export function describeVoice(settings: VoiceSettings): Readonly<{
  stt: string;
  llm: string;
  tts: string;
}> {
  const { stt, llm, tts } = settings;
  return {
    stt:
      stt.provider === 'offline'
        ? 'offline'
        : stt.provider === 'openai'
          ? `openai/${stt.model}${at(stt.baseURL)}`
          : `deepgram/${stt.model}${at(stt.baseUrl)}`,
    llm: llm.provider === 'offline' ? 'offline' : `openai/${llm.model}${at(llm.baseURL)}`,
    tts: tts.provider === 'offline' ? 'offline' : `${tts.provider}/${tts.model}${at(tts.baseURL)}`,
  };
}

/** `@host[:port]` of a configured base URL, '' for the provider's own. */
function at(baseUrl: string | undefined): string {
  return baseUrl ? `@${new URL(baseUrl).host}` : '';
}
