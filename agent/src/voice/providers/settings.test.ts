import { describe, expect, it } from 'vitest';
import { settingsIssues } from './testing.ts';
import {
  describeVoice,
  MIN_VAD_SILENCE_MS,
  NO_API_KEY_PLACEHOLDER,
  parseVoiceSettings,
  PROVIDER_DEFAULTS,
  TELEPHONY_TURN_DEFAULTS,
  VoiceSettingsError,
  type VoiceSettings,
} from './settings.ts';

type Env = Record<string, string | undefined>;

const KEYS = {
  DEEPGRAM_API_KEY: 'dg-secret-1',
  OPENAI_API_KEY: 'sk-secret-2',
  ELEVENLABS_API_KEY: 'el-secret-3',
} as const;

const pieces = (s: VoiceSettings) => [s.stt.provider, s.llm.provider, s.tts.provider];

describe('parseVoiceSettings: provider choice', () => {
  it('runs fully offline with no keys, with the telephony defaults', () => {
    const s = parseVoiceSettings({});
    expect(s).toEqual({
      mode: 'auto',
      stt: { provider: 'offline' },
      llm: { provider: 'offline' },
      tts: { provider: 'offline' },
      turn: TELEPHONY_TURN_DEFAULTS,
    });
  });

  it('treats empty variables as unset', () => {
    const s = parseVoiceSettings({
      VOICE_MODE: '',
      DEEPGRAM_API_KEY: '',
      OPENAI_API_KEY: '',
      ELEVENLABS_API_KEY: '',
      ENDPOINTING_MS: '',
      ALLOW_INTERRUPTIONS: '',
    });
    expect(pieces(s)).toEqual(['offline', 'offline', 'offline']);
    expect(s.turn).toEqual(TELEPHONY_TURN_DEFAULTS);
  });

  it.each([
    ['DEEPGRAM_API_KEY', ['deepgram', 'offline', 'offline']],
    ['OPENAI_API_KEY', ['offline', 'openai', 'offline']],
    ['ELEVENLABS_API_KEY', ['offline', 'offline', 'elevenlabs']],
  ] as const)('auto: %s alone makes only its piece cloud', (key, expected) => {
    expect(pieces(parseVoiceSettings({ [key]: KEYS[key] }))).toEqual(expected);
  });

  it('auto: every key set makes every piece cloud, with the provider defaults', () => {
    const s = parseVoiceSettings({ ...KEYS });
    expect(s.stt).toEqual({
      provider: 'deepgram',
      apiKey: KEYS.DEEPGRAM_API_KEY,
      model: 'nova-3',
      language: 'en-US',
    });
    expect(s.llm).toEqual({
      provider: 'openai',
      apiKey: KEYS.OPENAI_API_KEY,
      model: 'gpt-4.1-mini',
      baseURL: undefined,
    });
    expect(s.tts).toEqual({
      provider: 'elevenlabs',
      apiKey: KEYS.ELEVENLABS_API_KEY,
      model: 'eleven_flash_v2_5',
      voiceId: PROVIDER_DEFAULTS.elevenLabsVoiceId,
    });
  });

  it('auto: an OpenAI-compatible server needs no key; the client gets a placeholder', () => {
    const s = parseVoiceSettings({
      OPENAI_BASE_URL: 'http://llm.internal:8000/v1',
      OPENAI_MODEL: 'llama-3.1-8b-instruct',
    });
    expect(s.llm).toEqual({
      provider: 'openai',
      apiKey: NO_API_KEY_PLACEHOLDER,
      model: 'llama-3.1-8b-instruct',
      baseURL: 'http://llm.internal:8000/v1',
    });
    expect(describeVoice(s).llm).toBe('openai/llama-3.1-8b-instruct@llm.internal:8000');
  });

  it('reads the optional provider variables', () => {
    const s = parseVoiceSettings({
      ...KEYS,
      DEEPGRAM_MODEL: 'nova-2-phonecall',
      DEEPGRAM_LANGUAGE: 'es',
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_BASE_URL: 'https://gateway.example.com/openai/v1',
      ELEVENLABS_MODEL: 'eleven_turbo_v2_5',
      ELEVENLABS_VOICE_ID: '21m00Tcm4TlvDq8ikWAM',
    });
    expect(s.stt).toMatchObject({ model: 'nova-2-phonecall', language: 'es' });
    expect(s.llm).toMatchObject({
      apiKey: KEYS.OPENAI_API_KEY,
      model: 'gpt-4o-mini',
      baseURL: 'https://gateway.example.com/openai/v1',
    });
    expect(s.tts).toMatchObject({ model: 'eleven_turbo_v2_5', voiceId: '21m00Tcm4TlvDq8ikWAM' });
  });

  it("reads the providers' base URLs, in the form each plugin takes", () => {
    const s = parseVoiceSettings({
      ...KEYS,
      DEEPGRAM_BASE_URL: 'http://127.0.0.1:4001/',
      ELEVENLABS_BASE_URL: 'http://127.0.0.1:4003/v1/',
    });
    // The Deepgram plugin opens `${baseUrl}/v1/listen` as a WebSocket.
    expect(s.stt).toMatchObject({ baseUrl: 'ws://127.0.0.1:4001' });
    expect(s.tts).toMatchObject({ baseURL: 'http://127.0.0.1:4003/v1' });
    expect(describeVoice(s)).toEqual({
      stt: 'deepgram/nova-3@127.0.0.1:4001',
      llm: 'openai/gpt-4.1-mini',
      tts: 'elevenlabs/eleven_flash_v2_5@127.0.0.1:4003',
    });
    expect(
      parseVoiceSettings({ ...KEYS, DEEPGRAM_BASE_URL: 'wss://deepgram.internal:8443' }).stt,
    ).toMatchObject({ baseUrl: 'wss://deepgram.internal:8443' });
  });

  it("leaves the providers' own servers when no base URL is set", () => {
    const s = parseVoiceSettings({ ...KEYS });
    expect(s.stt).toMatchObject({ baseUrl: undefined });
    expect(s.tts).toMatchObject({ baseURL: undefined });
  });

  it('cloud: every key set makes every piece cloud', () => {
    const s = parseVoiceSettings({ VOICE_MODE: 'cloud', ...KEYS });
    expect(s.mode).toBe('cloud');
    expect(pieces(s)).toEqual(['deepgram', 'openai', 'elevenlabs']);
  });

  it('cloud: OPENAI_BASE_URL stands in for OPENAI_API_KEY', () => {
    const s = parseVoiceSettings({
      VOICE_MODE: 'cloud',
      DEEPGRAM_API_KEY: 'k',
      ELEVENLABS_API_KEY: 'k',
      OPENAI_BASE_URL: 'http://10.0.0.5:11434/v1',
      OPENAI_MODEL: 'qwen2.5:7b',
    });
    expect(s.llm).toMatchObject({ provider: 'openai', apiKey: NO_API_KEY_PLACEHOLDER });
  });

  it('offline: ignores every key', () => {
    const s = parseVoiceSettings({
      VOICE_MODE: 'offline',
      ...KEYS,
      OPENAI_BASE_URL: 'http://llm.internal/v1',
    });
    expect(pieces(s)).toEqual(['offline', 'offline', 'offline']);
    expect(describeVoice(s)).toEqual({ stt: 'offline', llm: 'offline', tts: 'offline' });
  });

  it('is frozen all the way down', () => {
    const s = parseVoiceSettings({ ...KEYS });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.stt)).toBe(true);
    expect(Object.isFrozen(s.turn)).toBe(true);
  });

  it('describes the pieces without secrets', () => {
    const described = describeVoice(parseVoiceSettings({ ...KEYS }));
    expect(described).toEqual({
      stt: 'deepgram/nova-3',
      llm: 'openai/gpt-4.1-mini',
      tts: 'elevenlabs/eleven_flash_v2_5',
    });
    expect(JSON.stringify(described)).not.toMatch(/secret/);
  });
});

describe('parseVoiceSettings: turn tuning', () => {
  it('reads every tuning variable', () => {
    const s = parseVoiceSettings({
      ENDPOINTING_MS: '10',
      MIN_ENDPOINTING_DELAY_MS: '300',
      MAX_ENDPOINTING_DELAY_MS: '2000',
      VAD_MIN_SILENCE_MS: '550',
      ALLOW_INTERRUPTIONS: 'false',
      MIN_INTERRUPTION_DURATION_MS: '800',
      PREEMPTIVE_GENERATION: 'no',
    });
    expect(s.turn).toEqual({
      sttEndpointingMs: 10,
      minEndpointingDelayMs: 300,
      maxEndpointingDelayMs: 2000,
      vadMinSilenceMs: 550,
      allowInterruptions: false,
      minInterruptionDurationMs: 800,
      preemptiveGeneration: false,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['ON', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('reads %j as %s', (value, expected) => {
    expect(parseVoiceSettings({ ALLOW_INTERRUPTIONS: value }).turn.allowInterruptions).toBe(
      expected,
    );
  });

  it('allows Deepgram endpointing to be switched off (0)', () => {
    const s = parseVoiceSettings({ DEEPGRAM_API_KEY: 'k', ENDPOINTING_MS: '0' });
    expect(s.turn.sttEndpointingMs).toBe(0);
  });

  it('accepts ENDPOINTING_MS at or above the minimum delay when Deepgram is not used', () => {
    const s = parseVoiceSettings({ ENDPOINTING_MS: '500', MIN_ENDPOINTING_DELAY_MS: '400' });
    expect(s.turn.sttEndpointingMs).toBe(500);
  });
});

describe('parseVoiceSettings: errors name the variable and the problem', () => {
  it.each<[string, Env, string]>([
    ['an unknown mode', { VOICE_MODE: 'hybrid' }, 'VOICE_MODE: must be auto, cloud or offline'],
    [
      'cloud without Deepgram',
      { VOICE_MODE: 'cloud', OPENAI_API_KEY: 'k', ELEVENLABS_API_KEY: 'k' },
      'DEEPGRAM_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_STT_BASE_URL)',
    ],
    [
      'cloud without OpenAI',
      { VOICE_MODE: 'cloud', DEEPGRAM_API_KEY: 'k', ELEVENLABS_API_KEY: 'k' },
      'OPENAI_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_BASE_URL)',
    ],
    [
      'cloud without ElevenLabs',
      { VOICE_MODE: 'cloud', DEEPGRAM_API_KEY: 'k', OPENAI_API_KEY: 'k' },
      'ELEVENLABS_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_TTS_BASE_URL)',
    ],
    [
      'a key with a trailing newline',
      { DEEPGRAM_API_KEY: 'abc\n' },
      'DEEPGRAM_API_KEY: must not contain spaces (check for a stray space or newline)',
    ],
    [
      'a key with a space',
      { OPENAI_API_KEY: 'sk abc' },
      'OPENAI_API_KEY: must not contain spaces (check for a stray space or newline)',
    ],
    [
      'a key with a space',
      { ELEVENLABS_API_KEY: ' el' },
      'ELEVENLABS_API_KEY: must not contain spaces (check for a stray space or newline)',
    ],
    [
      'a malformed Deepgram model',
      { DEEPGRAM_MODEL: 'Nova 3' },
      'DEEPGRAM_MODEL: must be a Deepgram model name such as nova-3',
    ],
    [
      'a Deepgram v2 (flux) model',
      { DEEPGRAM_MODEL: 'flux-general-en' },
      'DEEPGRAM_MODEL: flux models use Deepgram /v2/listen, which this agent does not drive; use nova-3',
    ],
    [
      'a malformed language',
      { DEEPGRAM_LANGUAGE: 'English' },
      'DEEPGRAM_LANGUAGE: must be a language code such as en-US',
    ],
    ['a malformed OpenAI model', { OPENAI_MODEL: 'gpt 4' }, 'OPENAI_MODEL: must be a model name'],
    [
      'a base URL that is not a URL',
      { OPENAI_BASE_URL: 'llm.internal:8000', OPENAI_MODEL: 'llama' },
      'OPENAI_BASE_URL: must be an http:// or https:// URL',
    ],
    [
      'a base URL that is not http',
      { OPENAI_BASE_URL: 'ftp://llm.internal/v1', OPENAI_MODEL: 'llama' },
      'OPENAI_BASE_URL: must be an http:// or https:// URL',
    ],
    [
      'a base URL without a model',
      { OPENAI_BASE_URL: 'http://llm.internal/v1' },
      'OPENAI_MODEL: required with OPENAI_BASE_URL: name a model that server serves',
    ],
    [
      'a Deepgram base URL that is not a URL',
      { DEEPGRAM_BASE_URL: 'deepgram.internal' },
      'DEEPGRAM_BASE_URL: must be a ws://, wss://, http:// or https:// URL',
    ],
    [
      'a Deepgram base URL of another scheme',
      { DEEPGRAM_BASE_URL: 'ftp://deepgram.internal' },
      'DEEPGRAM_BASE_URL: must be a ws://, wss://, http:// or https:// URL',
    ],
    [
      'a Deepgram base URL with the listen path',
      { DEEPGRAM_BASE_URL: 'wss://deepgram.internal/v1/listen' },
      'DEEPGRAM_BASE_URL: must be the server only (e.g. wss://deepgram.internal): the agent appends /v1/listen',
    ],
    [
      'an ElevenLabs base URL that is a WebSocket URL',
      { ELEVENLABS_BASE_URL: 'wss://api.elevenlabs.io/v1' },
      'ELEVENLABS_BASE_URL: must be an http:// or https:// URL',
    ],
    [
      'a malformed ElevenLabs model',
      { ELEVENLABS_MODEL: 'flash-2.5' },
      'ELEVENLABS_MODEL: must be an ElevenLabs model id such as eleven_flash_v2_5',
    ],
    [
      'a voice name instead of an id',
      { ELEVENLABS_VOICE_ID: 'Rachel' },
      'ELEVENLABS_VOICE_ID: must be an ElevenLabs voice id (20 letters and digits), not a voice name',
    ],
    [
      'a non-number',
      { ENDPOINTING_MS: 'fast' },
      'ENDPOINTING_MS: must be a number of milliseconds',
    ],
    [
      'a fraction',
      { MIN_ENDPOINTING_DELAY_MS: '400.5' },
      'MIN_ENDPOINTING_DELAY_MS: must be a whole number of milliseconds',
    ],
    ['a negative delay', { ENDPOINTING_MS: '-1' }, 'ENDPOINTING_MS: must be at least 0 ms'],
    [
      'a delay over the limit',
      { MAX_ENDPOINTING_DELAY_MS: '60000' },
      'MAX_ENDPOINTING_DELAY_MS: must be at most 30000 ms',
    ],
    [
      'a VAD silence the turn detector refuses',
      { VAD_MIN_SILENCE_MS: '200' },
      `VAD_MIN_SILENCE_MS: must be at least ${MIN_VAD_SILENCE_MS} ms`,
    ],
    [
      'an interruption threshold over the limit',
      { MIN_INTERRUPTION_DURATION_MS: '9000' },
      'MIN_INTERRUPTION_DURATION_MS: must be at most 5000 ms',
    ],
    [
      'a non-boolean',
      { ALLOW_INTERRUPTIONS: 'sometimes' },
      'ALLOW_INTERRUPTIONS: must be true or false',
    ],
    [
      'a non-boolean',
      { PREEMPTIVE_GENERATION: '2' },
      'PREEMPTIVE_GENERATION: must be true or false',
    ],
    [
      'a minimum delay above the maximum',
      { MIN_ENDPOINTING_DELAY_MS: '3000', MAX_ENDPOINTING_DELAY_MS: '1000' },
      'MIN_ENDPOINTING_DELAY_MS: must not exceed MAX_ENDPOINTING_DELAY_MS (1000 ms)',
    ],
    [
      'Deepgram endpointing not below the minimum delay',
      { DEEPGRAM_API_KEY: 'k', ENDPOINTING_MS: '400' },
      'ENDPOINTING_MS: must be below MIN_ENDPOINTING_DELAY_MS (400 ms), or transcripts arrive after the turn is over',
    ],
  ])('%s', (_case, env, expected) => {
    expect(settingsIssues(env)).toEqual([expected]);
  });

  it('lists every problem in one error, and no secret', () => {
    let error: unknown;
    try {
      parseVoiceSettings({
        VOICE_MODE: 'cloud',
        DEEPGRAM_API_KEY: 'dg secret',
        ENDPOINTING_MS: 'x',
        ALLOW_INTERRUPTIONS: 'maybe',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VoiceSettingsError);
    const message = (error as VoiceSettingsError).message;
    expect(message).toMatch(/^voice configuration is invalid:\n {2}/);
    expect((error as VoiceSettingsError).issues.map((i) => i.split(':')[0])).toEqual([
      'DEEPGRAM_API_KEY',
      'ENDPOINTING_MS',
      'ALLOW_INTERRUPTIONS',
      'ELEVENLABS_API_KEY',
      'OPENAI_API_KEY',
    ]);
    expect(message).not.toContain('dg secret');
  });

  it('reports every missing cloud key at once', () => {
    expect(settingsIssues({ VOICE_MODE: 'cloud' })).toEqual([
      'DEEPGRAM_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_STT_BASE_URL)',
      'ELEVENLABS_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_TTS_BASE_URL)',
      'OPENAI_API_KEY: required when VOICE_MODE=cloud (or set OPENAI_BASE_URL)',
    ]);
  });

  it('does not ask for OPENAI_MODEL when the LLM is offline anyway', () => {
    const s = parseVoiceSettings({ VOICE_MODE: 'offline', OPENAI_BASE_URL: 'http://llm/v1' });
    expect(s.llm).toEqual({ provider: 'offline' });
  });
});
