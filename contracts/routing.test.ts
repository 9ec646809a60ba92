import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  loadRouting,
  parseRouting,
  routeForNumber,
  RoutingConfigError,
  type RoutingConfig,
} from './routing.ts';

const REAL_ROUTING_FILE = fileURLToPath(new URL('../livekit-config/routing.yaml', import.meta.url));

/** A complete, valid routing document as plain data; tests mutate their own copy. */
function validDoc() {
  return {
    version: 1,
    agentName: 'genesys-voice-agent',
    genesys: { region: 'mypurecloud.com' },
    inboundTrunk: { name: 'genesys-byoc', allowedAddresses: ['52.129.96.0/20', 'byoc.example'] },
    transfer: { uuiEncoding: 'hex', uuiMaxBytes: 128, timeoutSeconds: 30 },
    queues: {
      general: {
        target: 'sip:+18005550150@byoc.example:5061;transport=tls',
        alternates: ['tel:+18005550151'],
        description: 'General queue',
      },
      billing: { target: 'sips:+18005550160@byoc.example' },
    },
    routes: [
      {
        name: 'main',
        numbers: ['+18005550100', '18005550101'],
        persona: 'triage',
        humanQueue: 'general',
        metadata: { brand: 'acme' },
      },
      {
        name: 'billing-line',
        numbers: ['+18005550200'],
        persona: 'billing',
        humanQueue: 'billing',
      },
    ],
  };
}

function parseDoc(doc: unknown): RoutingConfig {
  return parseRouting(stringify(doc), 'test-routing.yaml');
}

function routingError(fn: () => unknown): RoutingConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RoutingConfigError) return err;
    throw err;
  }
  throw new Error('expected a RoutingConfigError');
}

/** The problems reported for a document; fails the test if it parses. */
function problemsOf(doc: unknown): readonly string[] {
  return routingError(() => parseDoc(doc)).problems;
}

describe('parseRouting', () => {
  it('parses a valid document with every field as written', () => {
    const routing = parseDoc(validDoc());
    expect(routing.version).toBe(1);
    expect(routing.agentName).toBe('genesys-voice-agent');
    expect(routing.genesys.region).toBe('mypurecloud.com');
    expect(routing.inboundTrunk).toEqual({
      name: 'genesys-byoc',
      allowedAddresses: ['52.129.96.0/20', 'byoc.example'],
      mediaEncryption: 'allow',
      ringTimeoutSeconds: 3,
      whenNoAgent: 'refuse',
    });
    expect(routing.queues['general']).toEqual({
      target: 'sip:+18005550150@byoc.example:5061;transport=tls',
      alternates: ['tel:+18005550151'],
      description: 'General queue',
    });
    expect(routing.routes.map((r) => r.name)).toEqual(['main', 'billing-line']);
    expect(routing.routes[0]?.metadata).toEqual({ brand: 'acme' });
  });

  it('fills defaults for agentName, transfer, alternates and route metadata', () => {
    const doc: Record<string, unknown> = validDoc();
    delete doc['agentName'];
    delete doc['transfer'];
    doc['queues'] = { general: { target: 'sip:+18005550150@byoc.example' } };
    doc['routes'] = [
      { name: 'main', numbers: ['+18005550100'], persona: 'triage', humanQueue: 'general' },
    ];
    const routing = parseDoc(doc);
    expect(routing.agentName).toBe('genesys-voice-agent');
    expect(routing.transfer).toEqual({
      uuiEncoding: 'hex',
      uuiProtocolDiscriminator: '04',
      uuiMaxBytes: 128,
      timeoutSeconds: 30,
      uuiOptions: { protocolDiscriminator: 4 },
    });
    expect(routing.queues['general']?.alternates).toEqual([]);
    expect(routing.routes[0]?.metadata).toEqual({});
  });

  it('reads the protocol discriminator once, as the UUI codec takes it', () => {
    const withPd = (uuiProtocolDiscriminator: string) => {
      const doc: Record<string, unknown> = validDoc();
      doc['transfer'] = { uuiProtocolDiscriminator };
      return parseDoc(doc).transfer.uuiOptions;
    };
    expect(withPd('00')).toEqual({ protocolDiscriminator: 0 });
    expect(withPd('4A')).toEqual({ protocolDiscriminator: 0x4a });
    expect(withPd('none')).toEqual({});
  });

  it('returns a deeply frozen object', () => {
    const routing = parseDoc(validDoc());
    const route = routing.routes[0];
    const queue = routing.queues['general'];
    expect(route).toBeDefined();
    expect(queue).toBeDefined();
    for (const part of [
      routing,
      routing.genesys,
      routing.inboundTrunk,
      routing.inboundTrunk.allowedAddresses,
      routing.transfer,
      routing.queues,
      queue,
      queue?.alternates,
      routing.routes,
      route,
      route?.numbers,
      route?.metadata,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (routing.routes as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (route as { persona: string }).persona = 'other';
    }).toThrow(TypeError);
    expect(route?.persona).toBe('triage');
  });

  it('parses the real livekit-config/routing.yaml', () => {
    const routing = loadRouting(REAL_ROUTING_FILE);
    expect(routing.agentName).toBe('genesys-voice-agent');
    expect(routing.transfer).toEqual({
      uuiEncoding: 'hex',
      uuiProtocolDiscriminator: '04',
      uuiMaxBytes: 128,
      timeoutSeconds: 20,
      uuiOptions: { protocolDiscriminator: 4 },
    });
    expect(routing.inboundTrunk.allowedAddresses).toEqual(['127.0.0.1']);
    expect(Object.keys(routing.queues).sort()).toEqual(['billing', 'general']);
    expect(routing.queues['general']?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(routing.routes).toEqual([
      {
        name: 'main',
        numbers: ['+18005550100'],
        persona: 'triage',
        humanQueue: 'general',
        metadata: {},
      },
    ]);
  });

  it('reports a duplicate route name at the second route', () => {
    const doc = validDoc();
    doc.routes.push({
      name: 'main',
      numbers: ['+18005550300'],
      persona: 'triage',
      humanQueue: 'general',
    });
    expect(problemsOf(doc)).toEqual(['routes.2.name: duplicate route name "main"']);
  });

  it('reports a number routed twice, naming the route that already has it', () => {
    const doc = validDoc();
    doc.routes[1]?.numbers.push('+18005550100');
    expect(problemsOf(doc)).toEqual([
      'routes.1.numbers.1: number +18005550100 is already routed by "main"',
    ]);
  });

  it('keeps a route handoff override as written, for merging over the persona', () => {
    const doc = validDoc();
    Object.assign(doc.routes[0] ?? {}, {
      handoff: { silence: { afterSeconds: 4, then: 'end' }, maxTurns: 12 },
    });
    expect(parseDoc(doc).routes[0]?.handoff).toEqual({
      silence: { afterSeconds: 4, then: 'end' },
      maxTurns: 12,
    });
  });

  it.each([
    [{ silence: { afterSeconds: 1 } }, 'silence.afterSeconds: Too small'],
    [{ silence: { then: 'hang up' } }, 'silence.then: Invalid option'],
    [{ maxTurn: 3 }, 'Unrecognized key: "maxTurn"'],
    [['maxTurns'], 'must be a mapping of handoff policy settings'],
  ])('refuses the route handoff override %j, naming the setting', (handoff, problem) => {
    const doc = validDoc();
    Object.assign(doc.routes[0] ?? {}, { handoff });
    const problems = problemsOf(doc);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^routes\.0\.handoff: /);
    expect(problems[0]).toContain(problem);
  });

  it('accepts a route chosen by an X- header or a UUI field instead of numbers', () => {
    const doc = validDoc();
    Object.assign(doc.routes[1] ?? {}, {
      numbers: undefined,
      match: { header: 'X-AI-Route', equals: 'billing' },
    });
    const route = parseDoc(doc).routes[1];
    expect(route?.numbers).toEqual([]);
    expect(route?.match).toEqual({ header: 'X-AI-Route', equals: 'billing' });
  });

  it.each([
    [{ numbers: [] }, 'routes.1: a route needs numbers, a match, or both'],
    [
      { numbers: [], match: { header: 'Contact', equals: 'x' } },
      'routes.1.match.header: must be an X- header name like X-AI-Route',
    ],
    [
      { numbers: [], match: { header: 'X-A', uuiField: 'a', equals: 'x' } },
      'routes.1.match: name exactly one of header or uuiField',
    ],
  ])('refuses the route %j', (fields, problem) => {
    const doc = validDoc();
    Object.assign(doc.routes[1] ?? {}, fields);
    expect(problemsOf(doc)).toContain(problem);
  });

  it('reports a humanQueue that is not defined under queues', () => {
    const doc = validDoc();
    const route = doc.routes[1];
    if (route) route.humanQueue = 'collections';
    expect(problemsOf(doc)).toEqual([
      'routes.1.humanQueue: queue "collections" is not defined under queues',
    ]);
  });

  it.each([
    ['http://x'],
    ['sip:+18005550150@byoc.example x'],
    ['sip:<+18005550150@byoc.example>'],
    ['tel:+1 800 555 0150'],
    ['+18005550150'],
  ])('refuses the transfer target %j', (target) => {
    const doc = validDoc();
    doc.queues.billing.target = target;
    expect(problemsOf(doc)).toEqual([
      'queues.billing.target: must be a sip:, sips: or tel: URI without spaces',
    ]);
  });

  it('refuses a bad alternate transfer URI at its index', () => {
    const doc = validDoc();
    doc.queues.general.alternates.push('https://genesys.example/queue');
    expect(problemsOf(doc)).toEqual([
      'queues.general.alternates.1: must be a sip:, sips: or tel: URI without spaces',
    ]);
  });

  it.each([['555-0100'], ['12'], ['+1800555010012345678901'], ['sip:+18005550100'], ['']])(
    'refuses the phone number %j',
    (number) => {
      const doc = validDoc();
      doc.routes[0]?.numbers.splice(1, 1, number);
      expect(problemsOf(doc)).toEqual([
        'routes.0.numbers.1: must be a phone number like +18005550100',
      ]);
    },
  );

  it('refuses a route with neither numbers nor a match', () => {
    const doc = validDoc();
    doc.routes[0]?.numbers.splice(0);
    expect(problemsOf(doc)).toEqual(['routes.0: a route needs numbers, a match, or both']);
  });

  it('refuses empty allowedAddresses (no "allow all")', () => {
    const doc = validDoc();
    doc.inboundTrunk.allowedAddresses = [];
    expect(problemsOf(doc)).toEqual([
      'inboundTrunk.allowedAddresses: Too small: expected array to have >=1 items',
    ]);
  });

  it('refuses a malformed signalling address', () => {
    const doc = validDoc();
    doc.inboundTrunk.allowedAddresses = ['10.0.0.0/8', 'sip:byoc.example'];
    expect(problemsOf(doc)).toEqual([
      'inboundTrunk.allowedAddresses.1: must be an IPv4 address, a CIDR of /8 or narrower, or a host name',
    ]);
  });

  it.each([['0.0.0.0/0'], ['10.0.0.0/4'], ['300.1.1.1'], ['1.2.3.4/33']])(
    'refuses the over-wide or impossible address %s',
    (address) => {
      const doc = validDoc();
      doc.inboundTrunk.allowedAddresses = [address];
      expect(problemsOf(doc)).toHaveLength(1);
    },
  );

  it('refuses unknown keys at the root and in nested objects (strict)', () => {
    const doc = {
      ...validDoc(),
      extra: true,
      queues: { general: { target: 'sip:+18005550150@byoc.example', priority: 1 } },
    };
    doc.routes = doc.routes.filter((r) => r.humanQueue === 'general');
    expect([...problemsOf(doc)].sort()).toEqual([
      '(root): Unrecognized key: "extra"',
      'queues.general: Unrecognized key: "priority"',
    ]);
  });

  it('refuses an unknown key inside a route', () => {
    const doc = validDoc();
    const routes: Record<string, unknown>[] = doc.routes;
    routes[0] = { ...routes[0], queue: 'general' };
    expect(problemsOf(doc)).toEqual(['routes.0: Unrecognized key: "queue"']);
  });

  it('refuses names that are not lower-case identifiers', () => {
    const doc = validDoc();
    const route = doc.routes[0];
    if (route) {
      route.name = 'Main Line';
      route.persona = '9lives';
    }
    expect(problemsOf(doc)).toEqual([
      'routes.0.name: must be lower-case letters, digits, - or _',
      'routes.0.persona: must be lower-case letters, digits, - or _',
    ]);
  });

  it('refuses an unsupported version and out-of-range transfer settings', () => {
    const doc = {
      ...validDoc(),
      version: 2,
      transfer: { uuiEncoding: 'base64', uuiMaxBytes: 2048, timeoutSeconds: 1 },
    };
    const problems = problemsOf(doc);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^version: /);
    expect(problems[1]).toMatch(/^transfer\.uuiEncoding: /);
    expect(problems[2]).toMatch(/^transfer\.uuiMaxBytes: /);
    expect(problems[3]).toMatch(/^transfer\.timeoutSeconds: /);
  });

  it('collects several problems in one error', () => {
    const doc = validDoc();
    doc.inboundTrunk.allowedAddresses = [];
    doc.queues.billing.target = 'http://x';
    expect(problemsOf(doc)).toEqual([
      'inboundTrunk.allowedAddresses: Too small: expected array to have >=1 items',
      'queues.billing.target: must be a sip:, sips: or tel: URI without spaces',
    ]);
  });

  it('reports invalid YAML as a single problem', () => {
    const err = routingError(() => parseRouting('version: [1\nroutes: -', 'broken.yaml'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^not valid YAML: /);
    expect(err.file).toBe('broken.yaml');
  });

  it('reports duplicate YAML keys as invalid YAML', () => {
    const err = routingError(() => parseRouting('version: 1\nversion: 1\n', 'dup.yaml'));
    expect(err.problems[0]).toMatch(/^not valid YAML: Map keys must be unique/);
  });

  it('reports an empty document at the root', () => {
    expect(routingError(() => parseRouting('', 'empty.yaml')).problems).toEqual([
      '(root): Invalid input: expected object, received null',
    ]);
  });

  it('names the file and every problem in the error message', () => {
    const doc = validDoc();
    doc.queues.billing.target = 'http://x';
    const err = routingError(() => parseRouting(stringify(doc), '/etc/genesys/routing.yaml'));
    expect(err.name).toBe('RoutingConfigError');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe(
      'invalid routing file /etc/genesys/routing.yaml:\n' +
        '  queues.billing.target: must be a sip:, sips: or tel: URI without spaces',
    );
  });
});

describe('loadRouting', () => {
  it('reads and parses a file from disk', () => {
    expect(loadRouting(REAL_ROUTING_FILE).routes[0]?.name).toBe('main');
  });

  it('reports a missing file with its errno code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-test-'));
    try {
      const file = join(dir, 'missing.yaml');
      const err = routingError(() => loadRouting(file));
      expect(err.file).toBe(file);
      expect(err.problems).toEqual(['cannot read file: ENOENT']);
      expect(err.message).toContain(file);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reports a directory as unreadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-test-'));
    try {
      expect(routingError(() => loadRouting(dir)).problems).toEqual(['cannot read file: EISDIR']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('routeForNumber', () => {
  const routing = parseDoc(validDoc());

  it('finds the route that answers a called number', () => {
    expect(routeForNumber(routing, '+18005550100')?.name).toBe('main');
    expect(routeForNumber(routing, '18005550101')?.name).toBe('main');
    expect(routeForNumber(routing, '+18005550200')?.name).toBe('billing-line');
  });

  it('matches numbers exactly (no + normalisation)', () => {
    expect(routeForNumber(routing, '18005550100')).toBeUndefined();
    expect(routeForNumber(routing, '+18005550101')).toBeUndefined();
  });

  it('returns undefined for an unrouted number', () => {
    expect(routeForNumber(routing, '+18005559999')).toBeUndefined();
    expect(routeForNumber(routing, '')).toBeUndefined();
  });
});

describe('callRecords webhooks', () => {
  const webhook = {
    name: 'crm',
    url: 'https://crm.example.com/hooks/gva',
    secretEnv: 'CRM_WEBHOOK_SECRET',
  };
  const withWebhooks = (webhooks: unknown[]) => ({ ...validDoc(), callRecords: { webhooks } });

  it('is optional and parses webhooks as written', () => {
    expect(parseDoc(validDoc()).callRecords).toBeUndefined();
    expect(parseDoc(withWebhooks([webhook])).callRecords).toEqual({ webhooks: [webhook] });
    expect(parseDoc({ ...validDoc(), callRecords: {} }).callRecords).toEqual({ webhooks: [] });
  });

  it.each([
    [{ url: 'ftp://crm.example.com/x' }, 'url: must be an http:// or https:// URL'],
    [{ url: 'crm.example.com/x' }, 'url: must be an http:// or https:// URL'],
    [{ url: 'https://user:pw@crm.example.com/x' }, 'url: must not carry credentials'],
    [{ secretEnv: 'crm_secret' }, 'secretEnv: must be an environment variable name'],
    [{ secretEnv: '1SECRET' }, 'secretEnv: must be an environment variable name'],
    [{ name: 'CRM' }, 'name: must be lower-case'],
    [{ secret: 'inline' }, 'Unrecognized key'],
  ])('refuses %j', (change, problem) => {
    const problems = problemsOf(withWebhooks([{ ...webhook, ...change }]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^callRecords\.webhooks\.0[.:]/);
    expect(problems[0]).toContain(problem);
  });

  it('refuses a duplicate webhook name at the second webhook', () => {
    expect(problemsOf(withWebhooks([webhook, { ...webhook, url: 'http://10.0.0.9/x' }]))).toEqual([
      'callRecords.webhooks.1.name: duplicate webhook name "crm"',
    ]);
  });
});

describe('inboundTrunk', () => {
  type Doc = ReturnType<typeof validDoc> & { inboundTrunk: Record<string, unknown> };
  const withTrunk = (change: Record<string, unknown>): Doc => {
    const doc = validDoc();
    return { ...doc, inboundTrunk: { ...doc.inboundTrunk, ...change } };
  };

  it('leaves numbers unset and media encryption "allow" by default', () => {
    const trunk = parseDoc(validDoc()).inboundTrunk;
    expect(trunk.numbers).toBeUndefined();
    expect(trunk.mediaEncryption).toBe('allow');
  });

  it('parses numbers and media encryption as written', () => {
    const numbers = ['+18005550200', '+18005550100', '18005550101', '+18005550999'];
    for (const mediaEncryption of ['disable', 'allow', 'require']) {
      expect(parseDoc(withTrunk({ numbers, mediaEncryption })).inboundTrunk).toEqual({
        name: 'genesys-byoc',
        allowedAddresses: ['52.129.96.0/20', 'byoc.example'],
        numbers,
        mediaEncryption,
        ringTimeoutSeconds: 3,
        whenNoAgent: 'refuse',
      });
    }
  });

  it('takes a ring timeout of 1 to 180 s', () => {
    expect(parseDoc(withTrunk({ ringTimeoutSeconds: 8 })).inboundTrunk.ringTimeoutSeconds).toBe(8);
    for (const ringTimeoutSeconds of [0, 181, 2.5, '3'])
      expect(problemsOf(withTrunk({ ringTimeoutSeconds })).join('\n')).toMatch(
        /inboundTrunk\.ringTimeoutSeconds/,
      );
  });

  it('hands callers no agent took to the queue only with a ring timeout of 3 s or more', () => {
    expect(parseDoc(withTrunk({ whenNoAgent: 'queue' })).inboundTrunk.whenNoAgent).toBe('queue');
    for (const ringTimeoutSeconds of [1, 2])
      expect(
        problemsOf(withTrunk({ whenNoAgent: 'queue', ringTimeoutSeconds })).join('\n'),
      ).toMatch(
        /inboundTrunk\.ringTimeoutSeconds: whenNoAgent: queue needs ringTimeoutSeconds of 3/,
      );
    expect(problemsOf(withTrunk({ whenNoAgent: 'voicemail' })).join('\n')).toMatch(
      /inboundTrunk\.whenNoAgent/,
    );
  });

  it('refuses a route number the trunk does not accept, at the route', () => {
    expect(problemsOf(withTrunk({ numbers: ['+18005550100', '18005550101'] }))).toEqual([
      'routes.1.numbers.0: number +18005550200 is not in inboundTrunk.numbers: the trunk would refuse its calls',
    ]);
  });

  it('refuses a number listed twice, at the second', () => {
    const numbers = ['+18005550100', '18005550101', '+18005550200', '+18005550100'];
    expect(problemsOf(withTrunk({ numbers }))).toEqual([
      'inboundTrunk.numbers.3: number +18005550100 is listed twice',
    ]);
  });

  it.each([
    [{ numbers: [] }, 'inboundTrunk.numbers: Too small: expected array to have >=1 items'],
    [{ numbers: ['+18005550100', 'sip:+1800'] }, 'inboundTrunk.numbers.1: must be a phone number'],
    [{ mediaEncryption: 'srtp' }, 'inboundTrunk.mediaEncryption: Invalid option'],
    [{ mediaEncryption: true }, 'inboundTrunk.mediaEncryption: Invalid option'],
    [{ username: 'genesys' }, 'inboundTrunk: Unrecognized key: "username"'],
    [{ password: 'in-the-file' }, 'inboundTrunk: Unrecognized key: "password"'],
  ])('refuses %j, naming the path', (change, problem) => {
    const problems = problemsOf(withTrunk(change));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });
});

describe('outboundTrunk', () => {
  const outbound = {
    name: 'genesys-out',
    address: 'acme.byoc.mypurecloud.com:5061',
    transport: 'tls',
    numbers: ['+18005550199'],
  };
  const withOutbound = (change: Record<string, unknown>) => ({
    ...validDoc(),
    outboundTrunk: { ...outbound, ...change },
  });

  it('defaults media encryption to "disable"', () => {
    expect(parseDoc(withOutbound({})).outboundTrunk?.mediaEncryption).toBe('disable');
  });

  it.each([
    ['tls', 'disable'],
    ['tls', 'allow'],
    ['tls', 'require'],
    ['udp', 'disable'],
    ['udp', 'allow'],
    ['tcp', 'allow'],
  ])('accepts transport %s with media encryption %s', (transport, mediaEncryption) => {
    expect(parseDoc(withOutbound({ transport, mediaEncryption })).outboundTrunk).toMatchObject({
      transport,
      mediaEncryption,
    });
  });

  it.each([['udp'], ['tcp']])(
    'refuses "require" over %s: the SRTP keys would travel in clear text',
    (transport) => {
      expect(problemsOf(withOutbound({ transport, mediaEncryption: 'require' }))).toEqual([
        `outboundTrunk.mediaEncryption: "require" needs transport: tls: SRTP keys would travel in clear text over ${transport} signalling`,
      ]);
    },
  );

  it('refuses "require" with the default transport (udp)', () => {
    const doc = withOutbound({ mediaEncryption: 'require' });
    delete (doc.outboundTrunk as Record<string, unknown>)['transport'];
    expect(problemsOf(doc)).toEqual([
      'outboundTrunk.mediaEncryption: "require" needs transport: tls: SRTP keys would travel in clear text over udp signalling',
    ]);
  });

  it('refuses an unknown media encryption, naming the path', () => {
    expect(problemsOf(withOutbound({ mediaEncryption: 'sdes' }))).toEqual([
      'outboundTrunk.mediaEncryption: Invalid option: expected one of "disable"|"allow"|"require"',
    ]);
  });
});

describe('genesys', () => {
  const withGenesys = (genesys: Record<string, unknown>) => ({ ...validDoc(), genesys });

  it('takes an optional organization id next to the region', () => {
    expect(parseDoc(validDoc()).genesys).toEqual({ region: 'mypurecloud.com' });
    const organizationId = '6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5a';
    expect(parseDoc(withGenesys({ region: 'mypurecloud.de', organizationId })).genesys).toEqual({
      region: 'mypurecloud.de',
      organizationId,
    });
  });

  it.each([
    ['acme'],
    ['6f0c2a3e1b2d4c5e8f9a0b1c2d3e4f5a'],
    ['6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5'],
    [42],
  ])('refuses the organization id %j', (organizationId) => {
    expect(problemsOf(withGenesys({ region: 'mypurecloud.com', organizationId }))).toEqual([
      'genesys.organizationId: must be a UUID like 6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5a',
    ]);
  });

  it('still requires the region', () => {
    expect(problemsOf(withGenesys({}))).toEqual([
      'genesys.region: Invalid input: expected string, received undefined',
    ]);
  });
});

describe('livekit-config/routing.yaml', () => {
  it('shows genesys and inboundTrunk examples that parse once uncommented', () => {
    const text = readFileSync(REAL_ROUTING_FILE, 'utf8');
    const uncommented = text.replace(/^ {2}# (organizationId|numbers|mediaEncryption):/gm, '  $1:');
    expect(uncommented).not.toBe(text);
    const doc = parseRouting(uncommented, REAL_ROUTING_FILE);
    expect(doc.genesys.organizationId).toBe('6f0c2a3e-1b2d-4c5e-8f9a-0b1c2d3e4f5a');
    expect(doc.inboundTrunk).toMatchObject({
      numbers: ['+18005550100'],
      mediaEncryption: 'allow',
    });
  });

  it('shows an outboundTrunk example that parses once uncommented', () => {
    const lines = readFileSync(REAL_ROUTING_FILE, 'utf8').split('\n');
    const start = lines.indexOf('# outboundTrunk:');
    expect(start).toBeGreaterThan(0);
    const block = [lines[start] ?? ''];
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith('#   ')) break;
      block.push(line);
    }
    const example = block.map((line) => line.slice(2)).join('\n');
    const doc = parseRouting(
      `${readFileSync(REAL_ROUTING_FILE, 'utf8')}\n${example}\n`,
      REAL_ROUTING_FILE,
    );
    expect(doc.outboundTrunk).toEqual({
      name: 'genesys-out',
      address: 'acme.byoc.mypurecloud.com:5061',
      transport: 'tls',
      numbers: ['+18005550199'],
      mediaEncryption: 'require',
    });
  });

  it('shows a callRecords example that parses once uncommented', () => {
    const text = readFileSync(REAL_ROUTING_FILE, 'utf8');
    const example = text
      .split('\n')
      .filter((line) => /^# (callRecords:| {2}webhooks:| {4}- name:| {6}\w+:)/.test(line))
      .map((line) => line.slice(2));
    expect(example[0]).toBe('callRecords:');
    const doc = parseRouting(`${text}\n${example.join('\n')}\n`, REAL_ROUTING_FILE);
    expect(doc.callRecords?.webhooks).toEqual([
      {
        name: 'crm',
        url: 'https://crm.example.com/hooks/voice-calls',
        secretEnv: 'CRM_WEBHOOK_SECRET',
      },
    ]);
  });
});
