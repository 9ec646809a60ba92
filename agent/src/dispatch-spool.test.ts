import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DispatchUnavailableError,
  type DispatchClient,
  type SpoolPath,
} from './dispatch-client.ts';
import { createDispatchSpool } from './dispatch-spool.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A dispatch that is down until `up` is set, and records what reached it. */
function dispatch() {
  const state = { up: false, refuse: false, received: [] as [SpoolPath, unknown][] };
  const client = {
    post: async (path: SpoolPath, payload: unknown) => {
      if (state.refuse) throw new DispatchUnavailableError('dispatch answered 400', false);
      if (!state.up) throw new DispatchUnavailableError('dispatch unreachable: ECONNREFUSED', true);
      state.received.push([path, payload]);
      return { id: `id-${state.received.length}` };
    },
  } as unknown as DispatchClient;
  return { state, client };
}

function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spool-test-'));
  dirs.push(d);
  return join(d, 'spool');
}

describe('dispatch spool', () => {
  it('sends straight through while dispatch is up', async () => {
    const { state, client } = dispatch();
    state.up = true;
    const spool = createDispatchSpool(client, spoolDir());
    expect(await spool.send('/v1/calls/records', { a: 1 })).toEqual({ id: 'id-1' });
  });

  it('keeps what dispatch could not take, in order, and delivers it once dispatch is back', async () => {
    const { state, client } = dispatch();
    const dir = spoolDir();
    const spool = createDispatchSpool(client, dir);
    const first = await spool.send('/v1/callbacks', { n: 1 });
    await new Promise((r) => setTimeout(r, 2));
    await spool.send('/v1/calls/records', { n: 2 });
    expect(first).toHaveProperty('spooled');
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);

    expect(await spool.flush()).toBe(0); // still down: nothing lost
    state.up = true;
    expect(await spool.flush()).toBe(2);
    expect(state.received).toEqual([
      ['/v1/callbacks', { n: 1 }],
      ['/v1/calls/records', { n: 2 }],
    ]);
    expect(readdirSync(dir)).toEqual([]);
    expect(await spool.flush()).toBe(0);
  });

  it('sets aside what dispatch refuses for good, for an operator', async () => {
    const { state, client } = dispatch();
    const dir = spoolDir();
    const spool = createDispatchSpool(client, dir);
    await spool.send('/v1/calls/records', { n: 1 });
    state.refuse = true;
    await spool.flush();
    expect(readdirSync(dir).map((f) => f.replace(/^.*\.json/, '*.json'))).toEqual([
      '*.json.rejected',
    ]);
  });

  it('refuses to spool a request dispatch rejected as invalid', async () => {
    const { state, client } = dispatch();
    state.refuse = true;
    const spool = createDispatchSpool(client, spoolDir());
    await expect(spool.send('/v1/callbacks', {})).rejects.toThrow('dispatch answered 400');
  });
});
