/**
 * dispatch/openapi.yaml against the running app: the same routes both ways,
 * the same security, request schemas equal to the zod contracts, and every
 * $ref resolvable.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { newCallRecordSchema } from '../../../contracts/call-record.ts';
import { newCallbackSchema } from '../../../contracts/callbacks.ts';
import { newContextRecordSchema } from '../../../contracts/context-record.ts';
import {
  newOutboundCallSchema,
  outboundCallAnsweredSchema,
  outboundCallFailedSchema,
} from '../../../contracts/outbound-call.ts';
import { parseRouting } from '../../../contracts/routing.ts';
import { workerLeaseSchema } from '../../../contracts/worker-lease.ts';
import type { Store } from '../store/store.ts';
import { createApp } from './app.ts';
import { LIVEKIT_WEBHOOK_PATH } from './livekit-webhook.ts';
import { createDispatchMetrics } from './metrics.ts';
import { loadOpenApi, OPENAPI_PATH } from './openapi.ts';

type Json = unknown;
type Operation = { security?: unknown[] };
type Doc = {
  openapi: string;
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
};

const doc = loadOpenApi() as unknown as Doc;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const TOKEN = 'openapi-test-token-0123456789';

const app = createApp({
  status: () => ({ provisioned: true, lastError: undefined }),
  // Nothing here reaches the store: requests below stop at authentication.
  store: {} as Store,
  apiToken: TOKEN,
  metrics: createDispatchMetrics({ defaultMetrics: false }),
  livekitWebhook: { apiKey: 'devkey', apiSecret: 'secret-0123456789', deleteRoom: vi.fn() },
  outboundCalls: {
    routing: parseRouting(
      `version: 1
genesys: { region: mypurecloud.com }
inboundTrunk: { name: t, allowedAddresses: ['198.51.100.1'] }
queues: { general: { target: 'sip:+18005550150@byoc.example' } }
routes: [{ name: main, numbers: ['+18005550100'], persona: triage, humanQueue: general }]
`,
      'test.yaml',
    ),
    findTrunk: async () => undefined,
    placeCall: vi.fn(),
  },
});

/** "METHOD /path/{param}" for every handler the app registered (middleware excluded). */
function appOperations(): string[] {
  const ops = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  return [...new Set(ops)].sort();
}

function documentOperations(): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

/** zod's JSON Schema as the document writes it: format uuid instead of zod's pattern for it, no descriptions. */
function fromZod(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const json = z.toJSONSchema(schema, { io }) as Record<string, Json>;
  delete json['$schema'];
  return normalise(json);
}

function normalise(node: Json): Json {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === 'pattern' && (node as { format?: unknown }).format === 'uuid') continue;
    out[key] = key === 'required' && Array.isArray(value) ? [...value].sort() : normalise(value);
  }
  return out;
}

/** A component schema with every local $ref replaced by its target. */
function resolved(node: Json): Json {
  if (Array.isArray(node)) return node.map(resolved);
  if (typeof node !== 'object' || node === null) return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') return resolved(target(ref));
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolved(v)]));
}

function target(ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`non-local $ref ${ref}`);
  let at: Json = doc;
  for (const part of ref.slice(2).split('/')) {
    at = typeof at === 'object' && at !== null ? (at as Record<string, Json>)[part] : undefined;
  }
  if (at === undefined) throw new Error(`$ref ${ref} does not resolve`);
  return at;
}

function refs(node: Json): string[] {
  if (Array.isArray(node)) return node.flatMap(refs);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [v] : refs(v),
  );
}

const component = (name: string) => normalise(resolved(doc.components.schemas[name]));

describe('dispatch/openapi.yaml', () => {
  it('is OpenAPI 3.1 with bearer security by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it("documents exactly the app's routes, both ways", () => {
    const inApp = appOperations();
    const documented = documentOperations();
    expect(
      inApp.filter((op) => !documented.includes(op)),
      'routes the document lacks',
    ).toEqual([]);
    expect(
      documented.filter((op) => !inApp.includes(op)),
      'documented routes the app lacks',
    ).toEqual([]);
  });

  it('resolves every $ref', () => {
    for (const ref of new Set(refs(doc))) expect(() => target(ref), ref).not.toThrow();
  });

  it.each([
    ['NewCallback', newCallbackSchema, 'input'],
    ['NewContextRecord', newContextRecordSchema, 'input'],
    [
      'ContextRecord',
      newContextRecordSchema.extend({ id: z.string(), createdAt: z.iso.datetime() }),
      'output',
    ],
    ['NewCallRecord', newCallRecordSchema, 'input'],
    [
      'CallRecord',
      newCallRecordSchema.extend({ id: z.string(), createdAt: z.iso.datetime() }),
      'output',
    ],
    ['NewOutboundCall', newOutboundCallSchema, 'input'],
    ['OutboundCallAnswered', outboundCallAnsweredSchema, 'output'],
    ['OutboundCallFailed', outboundCallFailedSchema, 'output'],
    ['WorkerLease', workerLeaseSchema, 'input'],
  ] as const)('describes %s as its zod contract does', (name, schema, io) => {
    expect(component(name)).toEqual(fromZod(schema, io));
  });

  it('marks as unauthenticated exactly the routes the app serves without the token', async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const open = Array.isArray(op.security) && op.security.length === 0;
        const res = await app.request(path.replace(/\{[^}]+\}/g, 'x'), {
          method: method.toUpperCase(),
        });
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        const refused = res.status === 401 && body.error === 'unauthorized';
        // The webhook refuses an unsigned request with 401 too, by its own signature check.
        if (path === LIVEKIT_WEBHOOK_PATH) expect(open, path).toBe(true);
        else expect(refused, `${method.toUpperCase()} ${path}`).toBe(!open);
      }
    }
  });

  it('refuses an oversized body with 413 on every route that takes one, before reading it', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const withBody = appOperations().filter((op) => /^(POST|PUT|PATCH) /.test(op));
    expect(withBody.length).toBeGreaterThan(3);
    for (const op of withBody) {
      const [method = '', path = ''] = op.split(' ');
      const res = await app.request(path.replace(/\{[^}]+\}/g, 'x'), {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: huge,
      });
      expect(res.status, op).toBe(413);
      expect(await res.json(), op).toEqual({ error: 'body_too_large' });
    }
  });
});

describe('GET /openapi.json', () => {
  it('serves the document as JSON without a token', async () => {
    const res = await app.request(OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
