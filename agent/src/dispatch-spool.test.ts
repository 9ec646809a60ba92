import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
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

  it("makes the spool directory the user's own (0700), each file 0600", async () => {
    const { client } = dispatch();
    const dir = spoolDir();
    const { spooled } = (await createDispatchSpool(client, dir).send('/v1/callbacks', {})) as {
      spooled: string;
    };
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, spooled)).mode & 0o777).toBe(0o600);
  });

  it('delivers each request once when two workers flush one spool at the same time', async () => {
    const { state, client } = dispatch();
    const dir = spoolDir();
    const first = createDispatchSpool(client, dir);
    for (let n = 0; n < 20; n++) await first.send('/v1/calls/records', { n });
    state.up = true;
    const second = createDispatchSpool(client, dir);
    const [a, b] = await Promise.all([first.flush(), second.flush()]);
    expect(a + b).toBe(20);
    expect(state.received.map(([, p]) => (p as { n: number }).n).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, n) => n),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('puts a claim back while dispatch is still down, for the next flush', async () => {
    const { state, client } = dispatch();
    const dir = spoolDir();
    const spool = createDispatchSpool(client, dir);
    await spool.send('/v1/callbacks', { n: 1 });
    expect(await spool.flush()).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    state.up = true;
    expect(await spool.flush()).toBe(1);
  });

  it("delivers what a worker that died mid-delivery had claimed, and leaves a running one's claim alone", async () => {
    const { state, client } = dispatch();
    const dir = spoolDir();
    const spool = createDispatchSpool(client, dir);
    const dead = (await spool.send('/v1/callbacks', { n: 'dead' })) as { spooled: string };
    const live = (await spool.send('/v1/callbacks', { n: 'live' })) as { spooled: string };
    const gone = spawnSync('true').pid;
    const running = spawn('sleep', ['30']);
    try {
      renameSync(join(dir, dead.spooled), join(dir, `${dead.spooled}.${gone}.sending`));
      const liveClaim = `${live.spooled}.${running.pid}.sending`;
      renameSync(join(dir, live.spooled), join(dir, liveClaim));
      state.up = true;
      expect(await spool.flush()).toBe(1);
      expect(state.received).toEqual([['/v1/callbacks', { n: 'dead' }]]);
      expect(readdirSync(dir)).toEqual([liveClaim]);
    } finally {
      running.kill();
    }
  });
});
