/**
 * What the agent must not lose when dispatch is down (callback requests, call
 * records) waits on disk in the worker's spool directory, one JSON file per
 * request, written atomically. The job process spools what it could not
 * send; the worker process redelivers the spool every few seconds, deleting a
 * file once dispatch has it (or has refused it for good: those are kept
 * aside as `*.rejected` for an operator).
 *
 * Several workers of one host and user may share the directory (it is the
 * user's, not the worker's: a restarted worker finds what its predecessor
 * left): a worker claims a file by renaming it to `<file>.<pid>.sending`
 * before it posts it, so two never deliver the same request; a claim whose
 * process has gone is put back for the next flush.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DispatchUnavailableError,
  type DispatchClient,
  type SpoolPath,
} from './dispatch-client.ts';
import { makePrivateDir } from './worker/private-dir.ts';

/** `<name>.json.<pid>.sending`: a spooled file a process is delivering. */
const CLAIM = /^(.+\.json)\.(\d+)\.sending$/;
/** The claims this process holds now (paths). */
const held = new Set<string>();

const spooledSchema = z
  .object({
    path: z.enum(['/v1/callbacks', '/v1/calls/records']),
    payload: z.unknown(),
    spooledAt: z.string(),
  })
  .strict();

export type SendResult = { readonly id: string } | { readonly spooled: string };

export type DispatchSpool = Readonly<{
  /** Sends now; when dispatch is unreachable, keeps it for the worker to redeliver. */
  send: (path: SpoolPath, payload: unknown) => Promise<SendResult>;
  /** Redelivers what waits; returns how many were delivered. */
  flush: () => Promise<number>;
}>;

/**
 * @example
 * const spool = createDispatchSpool(dispatch, config.files.spool);
 * await spool.send('/v1/calls/records', record); // { id } or { spooled: '<file>' }
 */
export function createDispatchSpool(client: DispatchClient, dir: string): DispatchSpool {
  let flushing: Promise<number> | undefined;
  /** Posts one claimed file: delivered, set aside as rejected, or put back while dispatch is down. */
  const deliver = async (
    claimed: string,
    file: string,
  ): Promise<'delivered' | 'set aside' | 'down'> => {
    const parsed = spooledSchema.safeParse(
      await readFile(claimed, 'utf8')
        .then(JSON.parse)
        .catch(() => undefined),
    );
    if (!parsed.success) {
      await rename(claimed, `${file}.rejected`).catch(() => undefined);
      return 'set aside';
    }
    try {
      await client.post(parsed.data.path, parsed.data.payload);
      await unlink(claimed).catch(() => undefined);
      return 'delivered';
    } catch (err) {
      if (err instanceof DispatchUnavailableError && !err.retryable) {
        await rename(claimed, `${file}.rejected`).catch(() => undefined);
        return 'set aside';
      }
      await rename(claimed, file).catch(() => undefined);
      return 'down';
    }
  };
  const flushOnce = async (): Promise<number> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    await releaseAbandonedClaims(dir, names);
    names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json')).sort();
    let delivered = 0;
    for (const name of names) {
      const file = join(dir, name);
      const claimed = `${file}.${process.pid}.sending`;
      try {
        await rename(file, claimed);
      } catch {
        continue; // another worker's flush has it
      }
      held.add(claimed);
      const outcome = await deliver(claimed, file).finally(() => held.delete(claimed));
      if (outcome === 'delivered') delivered++;
      if (outcome === 'down') break; // keep the order, try again later
    }
    return delivered;
  };
  return Object.freeze({
    send: async (path, payload) => {
      try {
        return await client.post(path, payload);
      } catch (err) {
        if (!(err instanceof DispatchUnavailableError) || !err.retryable) throw err;
        await makePrivateDir(dir);
        const name = `${Date.now()}-${randomUUID()}.json`;
        const body = JSON.stringify({ path, payload, spooledAt: new Date().toISOString() });
        await writeFile(join(dir, `${name}.tmp`), body, { mode: 0o600 });
        await rename(join(dir, `${name}.tmp`), join(dir, name));
        return { spooled: name };
      }
    },
    flush: () => {
      flushing ??= flushOnce().finally(() => {
        flushing = undefined;
      });
      return flushing;
    },
  });
}

/**
 * Puts back the files claimed by processes that are no longer running, and
 * those named with this process's pid that it does not hold (a restarted
 * worker may get its predecessor's pid, in a container most of all).
 */
async function releaseAbandonedClaims(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const m = CLAIM.exec(name);
    if (!m?.[1] || !m[2]) continue;
    const pid = Number(m[2]);
    const path = join(dir, name);
    if (pid === process.pid ? held.has(path) : running(pid)) continue;
    await rename(path, join(dir, m[1])).catch(() => undefined);
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
