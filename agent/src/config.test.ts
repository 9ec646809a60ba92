import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RoutingConfigError } from '../../contracts/routing.ts';
import { ConfigError, loadAgentConfig } from './config.ts';
import { defaultMaxCalls } from './capacity.ts';

const ROUTING_FILE = fileURLToPath(new URL('../../livekit-config/routing.yaml', import.meta.url));

function validEnv(): NodeJS.ProcessEnv {
  return {
    LIVEKIT_URL: 'ws://127.0.0.1:7880',
    LIVEKIT_API_KEY: 'devkey',
    LIVEKIT_API_SECRET: 'secret-of-at-least-8',
    ROUTING_FILE,
  };
}

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadAgentConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAgentConfig', () => {
  it('reads a valid environment and applies defaults', () => {
    const config = loadAgentConfig(validEnv());
    expect(config.livekit).toEqual({
      url: 'ws://127.0.0.1:7880',
      apiKey: 'devkey',
      apiSecret: 'secret-of-at-least-8',
    });
    expect(config.health).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(config.offlineVoice).toEqual({ ttsVoice: 'en-us' });
    expect(config.routing.routes.map((r) => r.name)).toEqual(['main']);
    expect(config.routing.queues['general']?.target).toBe('sip:+18005550150@127.0.0.1:5070');
  });

  it('reads the optional settings', () => {
    const config = loadAgentConfig({
      ...validEnv(),
      LIVEKIT_URL: 'wss://livekit.example.com',
      AGENT_HEALTH_PORT: '9091',
      AGENT_HEALTH_HOST: '127.0.0.1',
      OFFLINE_TTS_VOICE: 'en-gb',
    });
    expect(config.livekit.url).toBe('wss://livekit.example.com');
    expect(config.health).toEqual({ host: '127.0.0.1', port: 9091 });
    expect(config.offlineVoice.ttsVoice).toBe('en-gb');
  });

  it('refuses a realtime persona list naming no persona the worker has', () => {
    const error = configError({
      ...validEnv(),
      OPENAI_REALTIME_API_KEY: 'sk-rt',
      OPENAI_REALTIME_PERSONAS: 'triage,tirage',
    });
    expect(error.message).toContain('OPENAI_REALTIME_PERSONAS: no persona named tirage');
    expect(
      loadAgentConfig({
        ...validEnv(),
        OPENAI_REALTIME_API_KEY: 'sk-rt',
        OPENAI_REALTIME_PERSONAS: 'triage',
      }).voice.realtime?.personas,
    ).toEqual(['triage']);
  });

  it('ignores unrelated environment variables', () => {
    const config = loadAgentConfig({ ...validEnv(), PATH: '/usr/bin', HOME: '/root' });
    expect(Object.keys(config).sort()).toEqual([
      'capacity',
      'cpu',
      'dataActions',
      'dispatch',
      'drainTimeoutSeconds',
      'files',
      'health',
      'livekit',
      'logLevel',
      'metrics',
      'offlineVoice',
      'routing',
      'tracing',
      'voice',
    ]);
  });

  it('reads the log level, info by default, and refuses one the framework has not', () => {
    expect(loadAgentConfig(validEnv()).logLevel).toBe('info');
    expect(loadAgentConfig({ ...validEnv(), LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadAgentConfig({ ...validEnv(), LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('reads the metrics and tracing settings, tracing off by default', () => {
    expect(loadAgentConfig(validEnv()).tracing).toEqual({
      endpoint: undefined,
      serviceName: 'genesys-voice-agent',
    });
    const config = loadAgentConfig({
      ...validEnv(),
      AGENT_METRICS_PORT: '9500',
      GVA_METRICS_UDP: '127.0.0.1:40123',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
    });
    expect(config.metrics).toEqual({ host: '0.0.0.0', port: 9500, jobTarget: '127.0.0.1:40123' });
    expect(config.tracing.endpoint).toBe('http://otel-collector:4318');
    expect(() =>
      loadAgentConfig({ ...validEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4318' }),
    ).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/);
    expect(() => loadAgentConfig({ ...validEnv(), GVA_METRICS_UDP: '10.0.0.1:9' })).toThrow(
      /GVA_METRICS_UDP/,
    );
  });

  it('sizes capacity from the cores and keeps a warm pool of at most four by default', () => {
    const config = loadAgentConfig(validEnv());
    expect(config.capacity.maxCalls).toBe(defaultMaxCalls(config.cpu.cores));
    expect(config.capacity.warmProcesses).toBe(Math.min(config.capacity.maxCalls, 4));
    // A container limited to one CPU on a 16-core node takes what one core carries.
    const pod = loadAgentConfig(validEnv(), { kind: 'cgroup', cores: 1, usageMicros: () => 0 });
    expect(pod.capacity).toMatchObject({ maxCalls: 5, warmProcesses: 4 });
    expect(loadAgentConfig(validEnv(), { kind: 'node', cores: 16 }).capacity.maxCalls).toBe(80);
    const set = loadAgentConfig({
      ...validEnv(),
      AGENT_MAX_CALLS: '12',
      AGENT_WARM_PROCESSES: '9',
    });
    expect(set.capacity).toMatchObject({ maxCalls: 12, warmProcesses: 9 });
    expect(() => loadAgentConfig({ ...validEnv(), AGENT_WARM_PROCESSES: '0' })).toThrow(
      /AGENT_WARM_PROCESSES/,
    );
  });

  it('holds a call at a full worker for 2 s by default, never past the job request timeout', () => {
    expect(loadAgentConfig(validEnv()).capacity.holdMs).toBe(2000);
    expect(loadAgentConfig({ ...validEnv(), AGENT_ADMISSION_HOLD_MS: '0' }).capacity.holdMs).toBe(
      0,
    );
    for (const bad of ['3000', '-1', 'soon'])
      expect(() => loadAgentConfig({ ...validEnv(), AGENT_ADMISSION_HOLD_MS: bad })).toThrow(
        /AGENT_ADMISSION_HOLD_MS/,
      );
  });

  it("keeps every file it writes in the user's own directory under TMPDIR by default", () => {
    const root = `/var/tmp/w1/genesys-voice-agent-${process.getuid?.()}`;
    expect(loadAgentConfig({ ...validEnv(), TMPDIR: '/var/tmp/w1/' }).files).toEqual({
      root,
      spool: `${root}/spool`,
      compileCache: `${root}/compile-cache`,
      jobBundle: `${root}/job-bundle`,
      greetings: `${root}/greetings`,
      pocketsphinx: `${root}/pocketsphinx`,
    });
    // The environment given, not the process's: /tmp when it has no TMPDIR.
    expect(loadAgentConfig(validEnv()).files.root).toBe(
      `/tmp/genesys-voice-agent-${process.getuid?.()}`,
    );
  });

  it('takes the spool and compile cache where they are set, and no compile cache when it is off', () => {
    const files = loadAgentConfig({
      ...validEnv(),
      AGENT_SPOOL_DIR: '/spool',
      AGENT_COMPILE_CACHE_DIR: '/cache',
    }).files;
    expect(files).toMatchObject({ spool: '/spool', compileCache: '/cache' });
    expect(
      loadAgentConfig({ ...validEnv(), AGENT_JOB_BUNDLE: 'off' }).files.jobBundle,
    ).toBeUndefined();
    expect(() => loadAgentConfig({ ...validEnv(), AGENT_JOB_BUNDLE: 'yes' })).toThrow(
      /AGENT_JOB_BUNDLE/,
    );
    expect(
      loadAgentConfig({ ...validEnv(), AGENT_COMPILE_CACHE_DIR: 'off' }).files.compileCache,
    ).toBe(undefined);
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadAgentConfig(validEnv());
    for (const part of [
      config,
      config.livekit,
      config.health,
      config.offlineVoice,
      config.routing,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(config.routing.routes[0])).toBe(true);
  });

  it('names a missing LIVEKIT_URL', () => {
    const env = validEnv();
    delete env['LIVEKIT_URL'];
    const err = configError(env);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toMatch(/^agent configuration is invalid:\n {2}LIVEKIT_URL: /);
  });

  it('refuses an http:// LiveKit URL', () => {
    expect(configError({ ...validEnv(), LIVEKIT_URL: 'http://127.0.0.1:7880' }).message).toContain(
      'LIVEKIT_URL: must be a ws:// or wss:// URL',
    );
  });

  it.each([['70000'], ['-1'], ['eighty'], ['80.5']])('refuses the health port %j', (port) => {
    expect(configError({ ...validEnv(), AGENT_HEALTH_PORT: port }).message).toMatch(
      /\n {2}AGENT_HEALTH_PORT: /,
    );
  });

  it('refuses a voice name with shell or path characters', () => {
    expect(configError({ ...validEnv(), OFFLINE_TTS_VOICE: 'en-us; rm -rf /' }).message).toContain(
      'OFFLINE_TTS_VOICE: ',
    );
  });

  it('lists every problem at once', () => {
    const err = configError({
      LIVEKIT_URL: 'http://x',
      LIVEKIT_API_SECRET: 'short',
      AGENT_HEALTH_PORT: '99999',
      ROUTING_FILE,
    });
    const lines = err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(':')[0]);
    expect(lines).toEqual([
      'LIVEKIT_URL',
      'LIVEKIT_API_KEY',
      'LIVEKIT_API_SECRET',
      'AGENT_HEALTH_PORT',
    ]);
  });

  it('reports a bad routing file as a RoutingConfigError naming the file', () => {
    const missing = fileURLToPath(new URL('./no-such-routing.yaml', import.meta.url));
    let thrown: unknown;
    try {
      loadAgentConfig({ ...validEnv(), ROUTING_FILE: missing });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RoutingConfigError);
    expect((thrown as RoutingConfigError).file).toBe(missing);
    expect((thrown as RoutingConfigError).problems).toEqual(['cannot read file: ENOENT']);
  });
});
