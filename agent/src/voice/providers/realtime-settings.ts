/**
 * Speech-to-speech over the OpenAI Realtime API (`wss://…/v1/realtime`),
 * OpenAI's own or a compatible server: the model hears the caller's audio and
 * speaks its reply, in place of the LLM and TTS of the pipeline. Chosen when
 * `OPENAI_REALTIME_API_KEY` or `OPENAI_REALTIME_BASE_URL` is set, for the
 * personas `OPENAI_REALTIME_PERSONAS` names (every persona when unset).
 * Parsed as part of the voice settings (settings.ts).
 */
import { z } from 'zod';
import {
  NO_API_KEY_PLACEHOLDER,
  type OpenAiRealtimeSettings,
  type VoiceMode,
} from './voice-settings.ts';

/** OpenAI's own realtime model and voice, when no base URL names another server. */
export const OPENAI_REALTIME_DEFAULTS = Object.freeze({
  model: 'gpt-realtime',
  voice: 'marin',
  /** A reply whose first server event has not come by then counts as the model failing. */
  replyTimeoutMs: 3000,
});

const millis = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`)
    .default(fallback);

const personaName = /^[a-z0-9][a-z0-9-]*$/;

/** The variables, merged into the voice settings' schema. */
export const openAiRealtimeFields = {
  OPENAI_REALTIME_BASE_URL: z
    .url({ protocol: /^(https?|wss?)$/, error: 'must be an http(s):// or ws(s):// URL' })
    .refine(
      (u) => !URL.canParse(u) || !/\/realtime\/?$/.test(new URL(u).pathname),
      'must be the API root (e.g. https://realtime.internal/v1): the plugin appends /realtime',
    )
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  OPENAI_REALTIME_API_KEY: z
    .string()
    .regex(/^\S+$/, 'must not contain spaces (check for a stray space or newline)')
    .optional(),
  OPENAI_REALTIME_MODEL: z
    .string()
    .regex(/^[^\s/][^\s]*$/, 'must be a realtime model name')
    .default(OPENAI_REALTIME_DEFAULTS.model),
  OPENAI_REALTIME_VOICE: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'must be a voice name such as marin')
    .default(OPENAI_REALTIME_DEFAULTS.voice),
  OPENAI_REALTIME_PERSONAS: z
    .string()
    .transform((s) => s.split(',').map((p) => p.trim()))
    .refine(
      (names) => names.every((n) => personaName.test(n)),
      'must be persona names separated by commas, e.g. triage,after-hours',
    )
    .optional(),
  OPENAI_REALTIME_REPLY_TIMEOUT_MS: millis(500, 10_000, OPENAI_REALTIME_DEFAULTS.replyTimeoutMs),
};

type Fields = z.infer<z.ZodObject<typeof openAiRealtimeFields>>;
type Raw = Readonly<Record<string, string>>;

/** Whether the raw environment asks for the realtime model. */
export const openAiRealtimeChosen = (raw: Raw) =>
  Boolean(raw['OPENAI_REALTIME_BASE_URL'] || raw['OPENAI_REALTIME_API_KEY']);

/** Checks across variables, on the raw values. */
export function openAiRealtimeChecks(raw: Raw, mode: string): string[] {
  if (mode === 'offline' || !openAiRealtimeChosen(raw)) return [];
  const issues: string[] = [];
  if (raw['OPENAI_REALTIME_BASE_URL'] && !raw['OPENAI_REALTIME_MODEL'])
    issues.push(
      'OPENAI_REALTIME_MODEL: required with OPENAI_REALTIME_BASE_URL: name a realtime model that server serves',
    );
  return issues;
}

/**
 * The realtime settings when the realtime model is chosen (and the voice is
 * not offline), else undefined.
 */
export function openAiRealtimePiece(
  e: Fields,
  mode: VoiceMode,
): OpenAiRealtimeSettings | undefined {
  if (mode === 'offline' || (!e.OPENAI_REALTIME_BASE_URL && !e.OPENAI_REALTIME_API_KEY))
    return undefined;
  return {
    provider: 'openai-realtime',
    apiKey: e.OPENAI_REALTIME_API_KEY ?? NO_API_KEY_PLACEHOLDER,
    model: e.OPENAI_REALTIME_MODEL,
    voice: e.OPENAI_REALTIME_VOICE,
    baseURL: e.OPENAI_REALTIME_BASE_URL,
    personas: e.OPENAI_REALTIME_PERSONAS ?? 'all',
    replyTimeoutMs: e.OPENAI_REALTIME_REPLY_TIMEOUT_MS,
  };
}

/**
 * Whether a persona's calls run on the realtime model.
 *
 * @example
 * realtimeFor(settings.realtime, 'triage'); // true when OPENAI_REALTIME_PERSONAS is unset or names triage
 */
export function realtimeFor(
  realtime: OpenAiRealtimeSettings | undefined,
  persona: string,
): realtime is OpenAiRealtimeSettings {
  if (!realtime) return false;
  return realtime.personas === 'all' || realtime.personas.includes(persona);
}
