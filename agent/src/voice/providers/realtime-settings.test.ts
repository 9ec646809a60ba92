import { describe, expect, it } from 'vitest';
import {
  NO_API_KEY_PLACEHOLDER,
  OPENAI_REALTIME_DEFAULTS,
  parseVoiceSettings,
  realtimeFor,
} from './settings.ts';
import { settingsIssues } from './testing.ts';

const SELF_HOSTED = {
  OPENAI_REALTIME_BASE_URL: 'https://realtime.internal/v1/',
  OPENAI_REALTIME_MODEL: 'speech-to-speech-small',
};

describe('speech-to-speech over the OpenAI Realtime API', () => {
  it('is off unless a key or a base URL is set', () => {
    expect(parseVoiceSettings({}).realtime).toBeUndefined();
    expect(parseVoiceSettings({ OPENAI_REALTIME_MODEL: 'gpt-realtime' }).realtime).toBeUndefined();
  });

  it("runs on OpenAI's own model and voice with a key", () => {
    expect(parseVoiceSettings({ OPENAI_REALTIME_API_KEY: 'sk-rt' }).realtime).toEqual({
      provider: 'openai-realtime',
      apiKey: 'sk-rt',
      model: OPENAI_REALTIME_DEFAULTS.model,
      voice: OPENAI_REALTIME_DEFAULTS.voice,
      baseURL: undefined,
      personas: 'all',
      replyTimeoutMs: OPENAI_REALTIME_DEFAULTS.replyTimeoutMs,
    });
  });

  it('runs on a self-hosted server with no key: the client gets a placeholder', () => {
    expect(parseVoiceSettings(SELF_HOSTED).realtime).toMatchObject({
      apiKey: NO_API_KEY_PLACEHOLDER,
      baseURL: 'https://realtime.internal/v1',
      model: 'speech-to-speech-small',
    });
  });

  it('keeps the STT that hears the turns and needs no LLM or TTS key in cloud mode', () => {
    const s = parseVoiceSettings({
      VOICE_MODE: 'cloud',
      DEEPGRAM_API_KEY: 'dg',
      OPENAI_REALTIME_API_KEY: 'sk-rt',
    });
    expect(s.stt.provider).toBe('deepgram');
    expect(s.realtime?.provider).toBe('openai-realtime');
    expect(settingsIssues({ VOICE_MODE: 'cloud', OPENAI_REALTIME_API_KEY: 'sk-rt' })).toEqual([
      'DEEPGRAM_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_STT_BASE_URL)',
    ]);
    // Personas it does not serve run on the pipeline, which cloud mode wants in the cloud.
    expect(
      settingsIssues({
        VOICE_MODE: 'cloud',
        DEEPGRAM_API_KEY: 'dg',
        OPENAI_REALTIME_API_KEY: 'sk-rt',
        OPENAI_REALTIME_PERSONAS: 'triage',
      }),
    ).toEqual([
      'ELEVENLABS_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_TTS_BASE_URL)',
      'OPENAI_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_BASE_URL)',
    ]);
  });

  it('is off in offline mode, whatever is set', () => {
    expect(parseVoiceSettings({ ...SELF_HOSTED, VOICE_MODE: 'offline' }).realtime).toBeUndefined();
  });

  it('runs for the personas named, or every persona', () => {
    const some = parseVoiceSettings({
      ...SELF_HOSTED,
      OPENAI_REALTIME_PERSONAS: 'triage, after-hours',
    }).realtime;
    expect(some?.personas).toEqual(['triage', 'after-hours']);
    expect(realtimeFor(some, 'triage')).toBe(true);
    expect(realtimeFor(some, 'overflow')).toBe(false);
    expect(realtimeFor(parseVoiceSettings(SELF_HOSTED).realtime, 'overflow')).toBe(true);
    expect(realtimeFor(undefined, 'triage')).toBe(false);
  });

  it('names the variable at fault for every bad value', () => {
    expect(
      settingsIssues({
        OPENAI_REALTIME_BASE_URL: 'ftp://realtime.internal',
        OPENAI_REALTIME_API_KEY: 'sk rt',
        OPENAI_REALTIME_VOICE: 'a voice',
        OPENAI_REALTIME_PERSONAS: 'triage,,Bad Name',
        OPENAI_REALTIME_REPLY_TIMEOUT_MS: '50',
      }),
    ).toEqual([
      'OPENAI_REALTIME_BASE_URL: must be an http(s):// or ws(s):// URL',
      'OPENAI_REALTIME_API_KEY: must not contain spaces (check for a stray space or newline)',
      'OPENAI_REALTIME_VOICE: must be a voice name such as marin',
      'OPENAI_REALTIME_PERSONAS: must be persona names separated by commas, e.g. triage,after-hours',
      'OPENAI_REALTIME_REPLY_TIMEOUT_MS: must be at least 500 ms',
      'OPENAI_REALTIME_MODEL: required with OPENAI_REALTIME_BASE_URL: name a realtime model that server serves',
    ]);
    expect(
      settingsIssues({
        OPENAI_REALTIME_BASE_URL: 'https://api.example/v1/realtime',
        OPENAI_REALTIME_MODEL: 'm',
      }),
    ).toEqual([
      'OPENAI_REALTIME_BASE_URL: must be the API root (e.g. https://realtime.internal/v1): the plugin appends /realtime',
    ]);
  });
});
