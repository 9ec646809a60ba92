import { describe, expect, it } from 'vitest';
import { settingsIssues } from './testing.ts';
import {
  describeVoice,
  NO_API_KEY_PLACEHOLDER,
  OPENAI_SPEECH_DEFAULTS,
  parseVoiceSettings,
} from './settings.ts';

const SELF_HOSTED = {
  OPENAI_STT_BASE_URL: 'http://speech.internal:8000/v1/',
  OPENAI_STT_MODEL: 'Systran/faster-whisper-small.en',
  OPENAI_TTS_BASE_URL: 'http://tts.internal:8880/v1',
  OPENAI_TTS_MODEL: 'kokoro',
  OPENAI_TTS_VOICE: 'af_heart',
};

describe('speech over the OpenAI audio API', () => {
  it('runs STT and TTS on a self-hosted server with no key: the client gets a placeholder', () => {
    const s = parseVoiceSettings(SELF_HOSTED);
    expect(s.stt).toEqual({
      provider: 'openai',
      apiKey: NO_API_KEY_PLACEHOLDER,
      model: 'Systran/faster-whisper-small.en',
      language: 'en',
      baseURL: 'http://speech.internal:8000/v1',
    });
    expect(s.tts).toEqual({
      provider: 'openai',
      apiKey: NO_API_KEY_PLACEHOLDER,
      model: 'kokoro',
      voice: 'af_heart',
      baseURL: 'http://tts.internal:8880/v1',
    });
    expect(s.llm).toEqual({ provider: 'offline' });
    expect(describeVoice(s)).toEqual({
      stt: 'openai/Systran/faster-whisper-small.en@speech.internal:8000',
      llm: 'offline',
      tts: 'openai/kokoro@tts.internal:8880',
    });
  });

  it("uses OpenAI's own models with a key alone, and each piece keeps its own key", () => {
    const s = parseVoiceSettings({
      OPENAI_STT_API_KEY: 'sk-stt',
      OPENAI_TTS_API_KEY: 'sk-tts',
      OPENAI_STT_LANGUAGE: 'fr',
    });
    expect(s.stt).toMatchObject({
      apiKey: 'sk-stt',
      model: OPENAI_SPEECH_DEFAULTS.sttModel,
      language: 'fr',
      baseURL: undefined,
    });
    expect(s.tts).toMatchObject({
      apiKey: 'sk-tts',
      model: OPENAI_SPEECH_DEFAULTS.ttsModel,
      voice: OPENAI_SPEECH_DEFAULTS.ttsVoice,
    });
  });

  it('stands in for Deepgram and ElevenLabs when VOICE_MODE=cloud', () => {
    const s = parseVoiceSettings({ VOICE_MODE: 'cloud', OPENAI_API_KEY: 'sk-llm', ...SELF_HOSTED });
    expect([s.stt.provider, s.llm.provider, s.tts.provider]).toEqual([
      'openai',
      'openai',
      'openai',
    ]);
  });

  it('is ignored when VOICE_MODE=offline', () => {
    const s = parseVoiceSettings({ VOICE_MODE: 'offline', ...SELF_HOSTED });
    expect([s.stt.provider, s.tts.provider]).toEqual(['offline', 'offline']);
  });

  it('names the variable: one provider per piece, a model and voice for another server, a URL that is the API root', () => {
    expect(
      settingsIssues({
        DEEPGRAM_API_KEY: 'dg',
        ELEVENLABS_API_KEY: 'el',
        OPENAI_STT_BASE_URL: 'http://speech.internal:8000/v1',
        OPENAI_TTS_BASE_URL: 'http://tts.internal/v1',
      }),
    ).toEqual([
      'OPENAI_STT_BASE_URL: set either DEEPGRAM_API_KEY or OPENAI_STT_BASE_URL / OPENAI_STT_API_KEY, not both',
      'OPENAI_STT_MODEL: required with OPENAI_STT_BASE_URL: name a transcription model that server serves',
      'OPENAI_TTS_BASE_URL: set either ELEVENLABS_API_KEY or OPENAI_TTS_BASE_URL / OPENAI_TTS_API_KEY, not both',
      'OPENAI_TTS_MODEL: required with OPENAI_TTS_BASE_URL: name a speech model that server serves',
      'OPENAI_TTS_VOICE: required with OPENAI_TTS_BASE_URL: name a voice that server has',
    ]);
    expect(settingsIssues({ ...SELF_HOSTED, OPENAI_STT_BASE_URL: 'speech.internal' })[0]).toMatch(
      /^OPENAI_STT_BASE_URL: must be an http/,
    );
    expect(
      settingsIssues({
        ...SELF_HOSTED,
        OPENAI_TTS_BASE_URL: 'http://tts.internal/v1/audio/speech',
      })[0],
    ).toMatch(/^OPENAI_TTS_BASE_URL: must be the API root/);
    expect(settingsIssues({ ...SELF_HOSTED, OPENAI_STT_LANGUAGE: 'english' })[0]).toMatch(
      /^OPENAI_STT_LANGUAGE: must be an ISO 639-1/,
    );
    expect(settingsIssues({ ...SELF_HOSTED, OPENAI_TTS_API_KEY: 'sk with space' })[0]).toMatch(
      /^OPENAI_TTS_API_KEY: must not contain spaces/,
    );
  });
});
