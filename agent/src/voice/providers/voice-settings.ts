/**
 * The voice providers' settings as the rest of the agent sees them: the
 * parsed, frozen shapes and their defaults. Parsed from the environment by
 * `settings.ts`.
 */

export type VoiceMode = 'auto' | 'cloud' | 'offline';

/** A piece served by the offline voice (PocketSphinx, rules engine, espeak-ng). */
export type OfflinePiece = Readonly<{ provider: 'offline' }>;

export type DeepgramSettings = Readonly<{
  provider: 'deepgram';
  apiKey: string;
  /** A streaming (`/v1/listen`) model, e.g. `nova-3`. */
  model: string;
  language: string;
  /**
   * Where `/v1/listen` is served (`ws://` or `wss://`, no path), e.g. a
   * self-hosted Deepgram or a test double; undefined: the plugin's
   * `wss://api.deepgram.com`.
   */
  baseUrl: string | undefined;
}>;

export type OpenAiSettings = Readonly<{
  provider: 'openai';
  /** A placeholder when {@link OpenAiSettings.baseURL} points at a server that needs no key. */
  apiKey: string;
  model: string;
  /** An OpenAI-compatible server (e.g. self-hosted, keeping text in the customer's network). */
  baseURL: string | undefined;
}>;

/** Speech-to-text over the OpenAI audio API (`/v1/audio/transcriptions`), OpenAI's or a self-hosted server's. */
export type OpenAiSttSettings = Readonly<{
  provider: 'openai';
  /** A placeholder when {@link OpenAiSttSettings.baseURL} points at a server that needs no key. */
  apiKey: string;
  model: string;
  /** ISO 639-1, e.g. `en`. */
  language: string;
  /** The API root (`…/v1`); undefined: OpenAI's own. */
  baseURL: string | undefined;
}>;

/** Text-to-speech over the OpenAI audio API (`/v1/audio/speech`), OpenAI's or a self-hosted server's. */
export type OpenAiTtsSettings = Readonly<{
  provider: 'openai';
  /** A placeholder when {@link OpenAiTtsSettings.baseURL} points at a server that needs no key. */
  apiKey: string;
  model: string;
  voice: string;
  /** The API root (`…/v1`); undefined: OpenAI's own. */
  baseURL: string | undefined;
}>;

export type ElevenLabsSettings = Readonly<{
  provider: 'elevenlabs';
  apiKey: string;
  model: string;
  /** Used when the persona names no voice of its own. */
  voiceId: string;
  /**
   * The API root (`http://` or `https://`, ending in `/v1`) the plugin puts
   * `/text-to-speech/…` after, e.g. a proxy or a test double; undefined: the
   * plugin's `https://api.elevenlabs.io/v1`.
   */
  baseURL: string | undefined;
}>;

/**
 * Speech-to-speech over the OpenAI Realtime API for some personas: the model
 * hears the caller and speaks the reply; the STT still hears every turn (the
 * exits, keypad entry and logs read its transcript) and the pipeline's LLM
 * and TTS stand by for a failure.
 */
export type OpenAiRealtimeSettings = Readonly<{
  provider: 'openai-realtime';
  /** A placeholder when {@link OpenAiRealtimeSettings.baseURL} points at a server that needs no key. */
  apiKey: string;
  model: string;
  voice: string;
  /** The API root (`…/v1`); undefined: OpenAI's own. */
  baseURL: string | undefined;
  /** The personas whose calls run on it. */
  personas: 'all' | readonly string[];
  /** A reply with no server event by then counts as the model failing. */
  replyTimeoutMs: number;
}>;

/** Turn-taking on the phone line; every duration in milliseconds. */
export type TurnSettings = Readonly<{
  /** Silence Deepgram waits before finalizing a transcript (not the turn decision). */
  sttEndpointingMs: number;
  /** Wait after the caller stops when the end-of-turn model says the turn is over. */
  minEndpointingDelayMs: number;
  /** Wait after the caller stops when the model says they are mid-sentence. */
  maxEndpointingDelayMs: number;
  /** Silence before the VAD reports the end of speech. */
  vadMinSilenceMs: number;
  /** Whether the caller can talk over the agent (barge-in). */
  allowInterruptions: boolean;
  /** Caller speech needed to interrupt the agent. */
  minInterruptionDurationMs: number;
  /** Start the LLM reply on the final transcript, before the turn is confirmed. */
  preemptiveGeneration: boolean;
}>;

export type VoiceSettings = Readonly<{
  mode: VoiceMode;
  stt: DeepgramSettings | OpenAiSttSettings | OfflinePiece;
  llm: OpenAiSettings | OfflinePiece;
  tts: ElevenLabsSettings | OpenAiTtsSettings | OfflinePiece;
  /** Undefined: every persona runs on the pipeline. */
  realtime: OpenAiRealtimeSettings | undefined;
  turn: TurnSettings;
}>;

/** Provider defaults: low-latency models suited to phone calls. */
export const PROVIDER_DEFAULTS = Object.freeze({
  deepgramModel: 'nova-3',
  deepgramLanguage: 'en-US',
  openAiModel: 'gpt-4.1-mini',
  elevenLabsModel: 'eleven_flash_v2_5',
  /** The premade voice `@livekit/agents-plugin-elevenlabs` uses by default. */
  elevenLabsVoiceId: 'bIHbv24MWmeRgasZH58o',
});

/** Turn-taking defaults for 8 kHz phone calls; docs/voice-tuning.md explains each. */
export const TELEPHONY_TURN_DEFAULTS: TurnSettings = Object.freeze({
  sttEndpointingMs: 25,
  minEndpointingDelayMs: 400,
  maxEndpointingDelayMs: 3000,
  vadMinSilenceMs: 400,
  allowInterruptions: true,
  minInterruptionDurationMs: 600,
  preemptiveGeneration: true,
});

/**
 * The shortest VAD silence the audio end-of-turn detector accepts: agents-js
 * refuses a session whose VAD reports end of speech before the detector's
 * 200 ms prediction window plus 50 ms.
 */
export const MIN_VAD_SILENCE_MS = 250;

/** The API key the OpenAI client is given for a keyless OpenAI-compatible server. */
export const NO_API_KEY_PLACEHOLDER = 'not-needed';

/** An invalid provider environment; the message names every variable at fault. */
export class VoiceSettingsError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`voice configuration is invalid:\n  ${issues.join('\n  ')}`);
    this.name = 'VoiceSettingsError';
    this.issues = issues;
  }
}
