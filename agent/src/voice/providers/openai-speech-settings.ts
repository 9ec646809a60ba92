/**
 * Speech over the OpenAI audio API (`/v1/audio/transcriptions`,
 * `/v1/audio/speech`): OpenAI's own, or a self-hosted server that speaks it
 * (the audio then stays in the customer's network). Each piece has its own
 * base URL, model and key, apart from the LLM's; a piece is chosen when its
 * base URL or key is set, in place of Deepgram (STT) or ElevenLabs (TTS).
 * Parsed as part of the voice settings (settings.ts).
 */
import { z } from 'zod';
import {
  NO_API_KEY_PLACEHOLDER,
  type OfflinePiece,
  type OpenAiSttSettings,
  type OpenAiTtsSettings,
  type VoiceMode,
} from './voice-settings.ts';

/** OpenAI's own models, when no base URL names another server. */
export const OPENAI_SPEECH_DEFAULTS = Object.freeze({
  sttModel: 'gpt-4o-mini-transcribe',
  sttLanguage: 'en',
  ttsModel: 'gpt-4o-mini-tts',
  ttsVoice: 'alloy',
});

const apiKey = z
  .string()
  .regex(/^\S+$/, 'must not contain spaces (check for a stray space or newline)');
const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine(
    (u) => !URL.canParse(u) || !/\/audio\//.test(new URL(u).pathname),
    'must be the API root (e.g. http://speech.internal:8000/v1): the plugin appends /audio/…',
  )
  .transform((u) => u.replace(/\/+$/, ''));
const name = (what: string) => z.string().regex(/^[^\s/][^\s]*$/, `must be a ${what} name`);

/** The variables, merged into the voice settings' schema. */
export const openAiSpeechFields = {
  OPENAI_STT_BASE_URL: baseUrl.optional(),
  OPENAI_STT_API_KEY: apiKey.optional(),
  OPENAI_STT_MODEL: name('transcription model').optional(),
  OPENAI_STT_LANGUAGE: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'must be an ISO 639-1 language code such as en')
    .default(OPENAI_SPEECH_DEFAULTS.sttLanguage),
  OPENAI_TTS_BASE_URL: baseUrl.optional(),
  OPENAI_TTS_API_KEY: apiKey.optional(),
  OPENAI_TTS_MODEL: name('speech model').optional(),
  OPENAI_TTS_VOICE: name('voice').optional(),
};

type Fields = z.infer<z.ZodObject<typeof openAiSpeechFields>>;
type Raw = Readonly<Record<string, string>>;

const chosen = (raw: Raw, piece: 'STT' | 'TTS') =>
  Boolean(raw[`OPENAI_${piece}_BASE_URL`] || raw[`OPENAI_${piece}_API_KEY`]);

/** Whether the raw environment asks for OpenAI-compatible speech-to-text. */
export const openAiSttChosen = (raw: Raw) => chosen(raw, 'STT');
/** Whether the raw environment asks for OpenAI-compatible text-to-speech. */
export const openAiTtsChosen = (raw: Raw) => chosen(raw, 'TTS');

/**
 * Checks across variables: one provider per piece, and a model named for a
 * server other than OpenAI's (its models are its own).
 */
export function openAiSpeechChecks(raw: Raw, mode: string): string[] {
  if (mode === 'offline') return [];
  const issues: string[] = [];
  const pieces = [
    ['STT', 'DEEPGRAM_API_KEY', 'a transcription model'],
    ['TTS', 'ELEVENLABS_API_KEY', 'a speech model'],
  ] as const;
  for (const [piece, other, model] of pieces) {
    if (!chosen(raw, piece)) continue;
    if (raw[other])
      issues.push(
        `OPENAI_${piece}_BASE_URL: set either ${other} or OPENAI_${piece}_BASE_URL / OPENAI_${piece}_API_KEY, not both`,
      );
    if (raw[`OPENAI_${piece}_BASE_URL`] && !raw[`OPENAI_${piece}_MODEL`])
      issues.push(
        `OPENAI_${piece}_MODEL: required with OPENAI_${piece}_BASE_URL: name ${model} that server serves`,
      );
  }
  if (chosen(raw, 'TTS') && raw['OPENAI_TTS_BASE_URL'] && !raw['OPENAI_TTS_VOICE'])
    issues.push(
      'OPENAI_TTS_VOICE: required with OPENAI_TTS_BASE_URL: name a voice that server has',
    );
  return issues;
}

const OFFLINE: OfflinePiece = Object.freeze({ provider: 'offline' });

/** The STT piece when OpenAI-compatible speech-to-text is chosen, else undefined. */
export function openAiSttPiece(
  e: Fields,
  mode: VoiceMode,
): OpenAiSttSettings | OfflinePiece | undefined {
  if (!e.OPENAI_STT_BASE_URL && !e.OPENAI_STT_API_KEY) return undefined;
  if (mode === 'offline') return OFFLINE;
  return {
    provider: 'openai',
    apiKey: e.OPENAI_STT_API_KEY ?? NO_API_KEY_PLACEHOLDER,
    model: e.OPENAI_STT_MODEL ?? OPENAI_SPEECH_DEFAULTS.sttModel,
    language: e.OPENAI_STT_LANGUAGE,
    baseURL: e.OPENAI_STT_BASE_URL,
  };
}

/** The TTS piece when OpenAI-compatible text-to-speech is chosen, else undefined. */
export function openAiTtsPiece(
  e: Fields,
  mode: VoiceMode,
): OpenAiTtsSettings | OfflinePiece | undefined {
  if (!e.OPENAI_TTS_BASE_URL && !e.OPENAI_TTS_API_KEY) return undefined;
  if (mode === 'offline') return OFFLINE;
  return {
    provider: 'openai',
    apiKey: e.OPENAI_TTS_API_KEY ?? NO_API_KEY_PLACEHOLDER,
    model: e.OPENAI_TTS_MODEL ?? OPENAI_SPEECH_DEFAULTS.ttsModel,
    voice: e.OPENAI_TTS_VOICE ?? OPENAI_SPEECH_DEFAULTS.ttsVoice,
    baseURL: e.OPENAI_TTS_BASE_URL,
  };
}
