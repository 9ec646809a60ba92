/**
 * Fuzzes dispatch's HTTP API from its own document (dispatch/openapi.yaml, as
 * GET /openapi.json serves it) with schemathesis (`st run`, settings in
 * dispatch/schemathesis.toml), against the real app with a real SQLite store
 * on a loopback port and only LiveKit faked (dispatch/src/testing/fuzz-target.ts).
 * For every documented operation and the requests schemathesis derives from
 * the document (its examples, boundary and invalid values of every field,
 * random valid and invalid requests, and chains through the document's links)
 * it proves:
 *   - no 5xx but the far end's failures POST /v1/calls documents, no crash;
 *   - every status code, content type and body is one the document gives for
 *     that operation, and the response schemas hold;
 *   - invalid requests are refused with a 4xx, valid ones accepted, and every
 *     operation got past validation to its handler (a 2xx) at least once;
 *   - every bearer route refuses a request without the token or with a wrong
 *     one (401), and all of them refuse everything (503) when dispatch has no
 *     token configured; LiveKit's webhook refuses every unsigned request (401).
 * The runs are bounded and seeded, so a failure reproduces; schemathesis'
 * report (with a curl line per failure) is printed when one fails.
 * Needs .tools/schemathesis-venv (scripts/setup-fuzz.sh, run by make setup).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFuzzTarget, type FuzzTarget } from '../testing/fuzz-target.ts';
import { LIVEKIT_WEBHOOK_PATH } from './livekit-webhook.ts';
import { loadOpenApi, OPENAPI_FILE } from './openapi.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ST = join(REPO_ROOT, '.tools/schemathesis-venv/bin/st');
const CONFIG = join(REPO_ROOT, 'dispatch/schemathesis.toml');
const HOOKS = join(REPO_ROOT, 'dispatch/schemathesis_hooks.py');
const TOKEN = 'fuzz-token-0123456789abcdef';
/** Bounds one `st run`; the three runs side by side take 25-40 s on 2 busy cores. */
const RUN_TIMEOUT_MS = 150_000;
const WEBHOOK = `POST ${LIVEKIT_WEBHOOK_PATH}`;

type Exchange = Readonly<{ operation: string | undefined; path: string; status: number }>;
type Run = Readonly<{ code: number | null; output: string; exchanges: readonly Exchange[] }>;
type Har = {
  log: { entries: { request: { method: string; url: string }; response: { status: number } }[] };
};

/** "METHOD /template" of every documented operation, with a matcher for request paths. */
const OPERATIONS = Object.entries(loadOpenApi().paths as Record<string, Record<string, unknown>>)
  .flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
  )
  .map(({ method, path }) => ({
    name: `${method} ${path}`,
    method,
    matches: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
const BEARER_OPERATIONS = OPERATIONS.map((o) => o.name).filter(
  (name) => name.split(' ')[1]?.startsWith('/v1/') && name !== WEBHOOK,
);

/** Runs `st run` against `target` with the project's settings and `args`; never rejects. */
async function schemathesis(target: FuzzTarget, args: readonly string[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-st-'));
  const harPath = join(dir, 'run.har');
  // The file, not GET /openapi.json: schemathesis leaves out the operation that served it.
  const argv = ['--config-file', CONFIG, '--no-color', 'run', OPENAPI_FILE];
  argv.push('--url', target.url, '--report', 'har', '--report-har-path', harPath, ...args);
  // Asynchronous: the app under test answers from this process's event loop.
  const child = spawn(ST, argv, {
    cwd: dir,
    env: { ...process.env, SCHEMATHESIS_HOOKS: HOOKS, NO_COLOR: '1', COLUMNS: '120' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      output += `\n${String(err)}`;
      resolve(null);
    });
    child.on('close', resolve);
  });
  clearTimeout(timer);
  const har = existsSync(harPath) ? (JSON.parse(readFileSync(harPath, 'utf8')) as Har) : undefined;
  rmSync(dir, { recursive: true, force: true });
  const exchanges = (har?.log.entries ?? []).map(({ request, response }) => {
    const path = new URL(request.url).pathname;
    const op = OPERATIONS.find((o) => o.method === request.method && o.matches.test(path));
    return { operation: op?.name, path, status: response.status };
  });
  return { code, output, exchanges };
}

/** The statuses each documented operation answered, by operation. */
function statusesByOperation(run: Run): Map<string, Set<number>> {
  const byOp = new Map<string, Set<number>>();
  for (const { operation, status } of run.exchanges) {
    if (operation) byOp.set(operation, (byOp.get(operation) ?? new Set()).add(status));
  }
  return byOp;
}

/** Starts a fresh app, runs schemathesis against it, stops the app. */
async function fuzz(apiToken: string | undefined, args: readonly string[]): Promise<Run> {
  const target = await startFuzzTarget({ apiToken });
  try {
    return await schemathesis(target, args);
  } finally {
    await target.close();
  }
}

beforeAll(() => {
  expect(existsSync(ST), `${ST} is missing: run make setup (scripts/setup-fuzz.sh)`).toBe(true);
  // dispatch logs each outbound call and failure on stdout.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterAll(() => {
  vi.restoreAllMocks();
});

// Each run has an app of its own: they run side by side.
describe.concurrent('dispatch HTTP API, fuzzed from dispatch/openapi.yaml', () => {
  it(
    'answers every request as documented, and every bearer route refuses a missing or wrong token',
    async () => {
      // Every phase; ignored_auth resends each accepted request without the token and with a wrong one.
      const run = await fuzz(TOKEN, [
        '--header',
        `Authorization: Bearer ${TOKEN}`,
        '--max-examples',
        '15',
      ]);
      expect(run.code, run.output).toBe(0);
      const byOp = statusesByOperation(run);
      for (const { name } of OPERATIONS) {
        const statuses = [...(byOp.get(name) ?? [])];
        if (name === WEBHOOK) expect(statuses, name).toEqual([401]);
        else
          expect(
            statuses.some((s) => s >= 200 && s < 300),
            `${name}: ${statuses}`,
          ).toBe(true);
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'refuses every /v1 request without the token with 401',
    async () => {
      const run = await fuzz(TOKEN, [
        '--phases',
        'fuzzing',
        '--max-examples',
        '3',
        '--warnings',
        'off',
      ]);
      expect(run.code, run.output).toBe(0);
      const byOp = statusesByOperation(run);
      for (const name of [...BEARER_OPERATIONS, WEBHOOK])
        expect([...(byOp.get(name) ?? [])], name).toEqual([401]);
      const v1 = run.exchanges.filter((e) => e.path.startsWith('/v1/'));
      expect(v1.filter((e) => e.status !== 401)).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'refuses every bearer route with 503 when no token is configured, as documented',
    async () => {
      // 503 is this run's expected answer: every check but not_a_server_error.
      const run = await fuzz(undefined, [
        '--header',
        `Authorization: Bearer ${TOKEN}`,
        '--phases',
        'fuzzing',
        '--max-examples',
        '3',
        '--exclude-checks',
        'not_a_server_error',
        '--warnings',
        'off',
      ]);
      expect(run.code, run.output).toBe(0);
      const byOp = statusesByOperation(run);
      for (const name of BEARER_OPERATIONS)
        expect([...(byOp.get(name) ?? [])], name).toEqual([503]);
      expect([...(byOp.get(WEBHOOK) ?? [])], WEBHOOK).toEqual([401]);
    },
    RUN_TIMEOUT_MS,
  );
});
