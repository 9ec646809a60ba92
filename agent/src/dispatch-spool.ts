/**
 * What the agent must not lose when dispatch is down (callback requests, call
 * records) waits on disk in the worker's spool directory, one JSON file per
 * request, written atomically. The job process spools what it could not
 * send; the worker process redelivers the spool every few seconds, deleting a
 * file once dispatch has it (or has refused it for good: those are kept
 * aside as `*.rejected` for an operator).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DispatchUnavailableError,
  type DispatchClient,
  type SpoolPath,
} from './dispatch-client.ts';

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
 * const spool = createDispatchSpool(dispatch, config.spoolDir);
 * await spool.send('/v1/calls/records', record); // { id } or { spooled: '<file>' }
 */
export function createDispatchSpool(client: DispatchClient, dir: string): DispatchSpool {
  let flushing: Promise<number> | undefined;
  const flushOnce = async (): Promise<number> => {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch {
      return 0;
    }
    let delivered = 0;
    for (const name of names) {
      const file = join(dir, name);
      const parsed = spooledSchema.safeParse(
        await readFile(file, 'utf8')
          .then(JSON.parse)
          .catch(() => undefined),
      );
      if (!parsed.success) {
        await rename(file, `${file}.rejected`).catch(() => undefined);
        continue;
      }
      try {
        await client.post(parsed.data.path, parsed.data.payload);
        await unlink(file).catch(() => undefined);
        delivered++;
      } catch (err) {
        if (err instanceof DispatchUnavailableError && !err.retryable) {
          await rename(file, `${file}.rejected`).catch(() => undefined);
          continue;
        }
        break; // still down: keep the order, try again later
      }
    }
    return delivered;
  };
  return Object.freeze({
    send: async (path, payload) => {
      try {
        return await client.post(path, payload);
      } catch (err) {
        if (!(err instanceof DispatchUnavailableError) || !err.retryable) throw err;
        await mkdir(dir, { recursive: true });
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
