import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RoutingConfigError } from '../../contracts/routing.ts';
import { ConfigError, loadDispatchConfig } from './config.ts';

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
    loadDispatchConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDispatchConfig', () => {
  it('reads a valid environment and applies defaults', () => {
    const config = loadDispatchConfig(validEnv());
    expect(config.livekit).toEqual({
      apiUrl: 'http://127.0.0.1:7880',
      apiKey: 'devkey',
      apiSecret: 'secret-of-at-least-8',
    });
    expect(config.routingFile).toBe(ROUTING_FILE);
    expect(config.routing.inboundTrunk.name).toBe('genesys-byoc-local');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it.each([
    ['ws://127.0.0.1:7880', 'http://127.0.0.1:7880'],
    ['wss://livekit.example.com', 'https://livekit.example.com'],
    ['http://127.0.0.1:7880', 'http://127.0.0.1:7880'],
    ['https://livekit.example.com', 'https://livekit.example.com'],
  ])('turns LIVEKIT_URL %j into the API URL %j', (url, apiUrl) => {
    expect(loadDispatchConfig({ ...validEnv(), LIVEKIT_URL: url }).livekit.apiUrl).toBe(apiUrl);
  });

  it('reads the HTTP listen address', () => {
    expect(
      loadDispatchConfig({ ...validEnv(), DISPATCH_HOST: '127.0.0.1', DISPATCH_PORT: '18080' })
        .http,
    ).toEqual({ host: '127.0.0.1', port: 18080 });
  });

  it('checks LiveKit against the routing file every 10 s unless told otherwise', () => {
    expect(loadDispatchConfig(validEnv()).reconcileEveryMs).toBe(10_000);
    expect(
      loadDispatchConfig({ ...validEnv(), DISPATCH_RECONCILE_SECONDS: '0' }).reconcileEveryMs,
    ).toBe(0);
    expect(configError({ ...validEnv(), DISPATCH_RECONCILE_SECONDS: 'often' }).message).toMatch(
      /DISPATCH_RECONCILE_SECONDS/,
    );
  });

  it('returns a deeply frozen configuration', () => {
    const config = loadDispatchConfig(validEnv());
    for (const part of [config, config.livekit, config.http, config.routing]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(config.routing.inboundTrunk.allowedAddresses)).toBe(true);
  });

  it('names a missing LIVEKIT_URL', () => {
    const env = validEnv();
    delete env['LIVEKIT_URL'];
    const err = configError(env);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toMatch(/^dispatch configuration is invalid:\n {2}LIVEKIT_URL: /);
  });

  it('refuses a LiveKit URL of another scheme', () => {
    expect(configError({ ...validEnv(), LIVEKIT_URL: 'ftp://livekit.example' }).message).toContain(
      'LIVEKIT_URL: must be an http(s):// or ws(s):// URL',
    );
  });

  it.each([['65536'], ['-1'], ['http'], ['8080.5']])('refuses the port %j', (port) => {
    expect(configError({ ...validEnv(), DISPATCH_PORT: port }).message).toMatch(
      /\n {2}DISPATCH_PORT: /,
    );
  });

  it('refuses a short API secret', () => {
    expect(configError({ ...validEnv(), LIVEKIT_API_SECRET: 'secret' }).message).toContain(
      'LIVEKIT_API_SECRET: ',
    );
  });

  it('has no outbound trunk credentials unless both variables are set', () => {
    expect(loadDispatchConfig(validEnv()).outboundTrunkAuth).toBeUndefined();
    expect(
      loadDispatchConfig({
        ...validEnv(),
        OUTBOUND_TRUNK_USERNAME: 'ai-agents',
        OUTBOUND_TRUNK_PASSWORD: 'digest-password-1',
      }).outboundTrunkAuth,
    ).toEqual({ username: 'ai-agents', password: 'digest-password-1' });
    expect(
      loadDispatchConfig({
        ...validEnv(),
        OUTBOUND_TRUNK_USERNAME: '',
        OUTBOUND_TRUNK_PASSWORD: '',
      }).outboundTrunkAuth,
    ).toBeUndefined();
  });

  it('has no inbound trunk credentials unless both variables are set', () => {
    expect(loadDispatchConfig(validEnv()).inboundTrunkAuth).toBeUndefined();
    const config = loadDispatchConfig({
      ...validEnv(),
      INBOUND_TRUNK_USERNAME: 'genesys-byoc',
      INBOUND_TRUNK_PASSWORD: 'inbound-password-1',
    });
    expect(config.inboundTrunkAuth).toEqual({
      username: 'genesys-byoc',
      password: 'inbound-password-1',
    });
    expect(config.outboundTrunkAuth).toBeUndefined();
    expect(
      loadDispatchConfig({ ...validEnv(), INBOUND_TRUNK_USERNAME: '', INBOUND_TRUNK_PASSWORD: '' })
        .inboundTrunkAuth,
    ).toBeUndefined();
  });

  it('reads inbound and outbound credentials independently', () => {
    const config = loadDispatchConfig({
      ...validEnv(),
      INBOUND_TRUNK_USERNAME: 'genesys-byoc',
      INBOUND_TRUNK_PASSWORD: 'inbound-password-1',
      OUTBOUND_TRUNK_USERNAME: 'ai-agents',
      OUTBOUND_TRUNK_PASSWORD: 'digest-password-1',
    });
    expect(config.inboundTrunkAuth).toEqual({
      username: 'genesys-byoc',
      password: 'inbound-password-1',
    });
    expect(config.outboundTrunkAuth).toEqual({
      username: 'ai-agents',
      password: 'digest-password-1',
    });
  });

  it('names every half-set pair in one error, with no value', () => {
    const err = configError({
      ...validEnv(),
      INBOUND_TRUNK_PASSWORD: 'inbound-password-1',
      OUTBOUND_TRUNK_USERNAME: 'ai-agents',
    });
    expect(err.message).toBe(
      'dispatch configuration is invalid:\n' +
        '  INBOUND_TRUNK_USERNAME: required when INBOUND_TRUNK_PASSWORD is set\n' +
        '  OUTBOUND_TRUNK_PASSWORD: required when OUTBOUND_TRUNK_USERNAME is set',
    );
    expect(err.message).not.toContain('inbound-password-1');
    expect(err.message).not.toContain('ai-agents');
  });

  it.each([
    ['INBOUND_TRUNK_USERNAME', 'genesys-byoc', 'INBOUND_TRUNK_PASSWORD'],
    ['INBOUND_TRUNK_PASSWORD', 'inbound-password-1', 'INBOUND_TRUNK_USERNAME'],
    ['OUTBOUND_TRUNK_USERNAME', 'ai-agents', 'OUTBOUND_TRUNK_PASSWORD'],
    ['OUTBOUND_TRUNK_PASSWORD', 'digest-password-1', 'OUTBOUND_TRUNK_USERNAME'],
  ])(
    'refuses %s without the other, naming the missing one but no value',
    (name, value, missing) => {
      const err = configError({ ...validEnv(), [name]: value });
      expect(err.message).toBe(
        `dispatch configuration is invalid:\n  ${missing}: required when ${name} is set`,
      );
      expect(err.message).not.toContain(value);
    },
  );

  it('reports a bad routing file as a RoutingConfigError naming the file', () => {
    const missing = fileURLToPath(new URL('./no-such-routing.yaml', import.meta.url));
    let thrown: unknown;
    try {
      loadDispatchConfig({ ...validEnv(), ROUTING_FILE: missing });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RoutingConfigError);
    expect((thrown as RoutingConfigError).problems).toEqual(['cannot read file: ENOENT']);
  });
});

describe('loadDispatchConfig: database', () => {
  it('defaults to the embedded SQLite file', () => {
    expect(loadDispatchConfig(validEnv()).database).toEqual({
      kind: 'sqlite',
      path: 'data/dispatch.db',
    });
  });

  it.each([
    [
      'sqlite:/var/lib/dispatch/dispatch.db',
      { kind: 'sqlite', path: '/var/lib/dispatch/dispatch.db' },
    ],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    [
      'postgres://dispatch:pw@db:5432/dispatch',
      { kind: 'postgres', url: 'postgres://dispatch:pw@db:5432/dispatch' },
    ],
    [
      'postgresql://db/dispatch?sslmode=require',
      { kind: 'postgres', url: 'postgresql://db/dispatch?sslmode=require' },
    ],
  ])('reads DATABASE_URL %j', (url, database) => {
    expect(loadDispatchConfig({ ...validEnv(), DATABASE_URL: url }).database).toEqual(database);
  });

  it.each([['mysql://db/dispatch'], ['postgres:db'], ['dispatch.db']])(
    'refuses DATABASE_URL %j without echoing it',
    (url) => {
      const err = configError({ ...validEnv(), DATABASE_URL: url });
      expect(err.message).toContain('DATABASE_URL: must be sqlite:<path> or postgres://');
      expect(err.message).not.toContain(url);
    },
  );
});

describe('loadDispatchConfig: call-record webhooks', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The real routing file plus a callRecords section, written to a temp file. */
  function routingWithWebhooks(): string {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-config-'));
    dirs.push(dir);
    const file = join(dir, 'routing.yaml');
    writeFileSync(
      file,
      `${readFileSync(ROUTING_FILE, 'utf8')}
callRecords:
  webhooks:
    - name: crm
      url: https://crm.example.com/hooks/gva
      secretEnv: CRM_WEBHOOK_SECRET
    - name: audit
      url: http://audit.internal:8080/calls
      secretEnv: AUDIT_WEBHOOK_SECRET
`,
    );
    return file;
  }

  it('has none without a callRecords section', () => {
    expect(loadDispatchConfig(validEnv()).callRecordWebhooks).toEqual([]);
  });

  it('reads each secret from the variable its secretEnv names', () => {
    const config = loadDispatchConfig({
      ...validEnv(),
      ROUTING_FILE: routingWithWebhooks(),
      CRM_WEBHOOK_SECRET: 'crm-secret-0123456789',
      AUDIT_WEBHOOK_SECRET: 'audit-secret-0123456789',
    });
    expect(config.callRecordWebhooks).toEqual([
      { name: 'crm', url: 'https://crm.example.com/hooks/gva', secret: 'crm-secret-0123456789' },
      { name: 'audit', url: 'http://audit.internal:8080/calls', secret: 'audit-secret-0123456789' },
    ]);
    expect(Object.isFrozen(config.callRecordWebhooks[0])).toBe(true);
  });

  it('refuses to start without a secret, naming the variable and the webhook, never a value', () => {
    const routingFile = routingWithWebhooks();
    const err = configError({
      ...validEnv(),
      ROUTING_FILE: routingFile,
      CRM_WEBHOOK_SECRET: 'short',
      AUDIT_WEBHOOK_SECRET: '',
    });
    expect(err.message).toBe(
      'dispatch configuration is invalid:\n' +
        `  CRM_WEBHOOK_SECRET: must be at least 16 characters (secretEnv of call-record webhook "crm" in ${routingFile})\n` +
        `  AUDIT_WEBHOOK_SECRET: required (secretEnv of call-record webhook "audit" in ${routingFile})`,
    );
    expect(err.message).not.toContain('short');
  });
});
