/**
 * The agent's calls to the dispatch API. Requests are validated against the
 * shared contract before they leave, and retried briefly on network errors or
 * 5xx: a caller waits on the line meanwhile, so the budget is a few seconds.
 */
import { newCallRecordSchema, type NewCallRecord } from '../../contracts/call-record.ts';
import { newContextRecordSchema, type NewContextRecord } from '../../contracts/context-record.ts';

export type DispatchClient = Readonly<{
  createContext: (record: NewContextRecord) => Promise<{ id: string }>;
  createCallRecord: (record: NewCallRecord) => Promise<{ id: string }>;
  /** Posts an already validated payload (the spool's redelivery). */
  post: (path: SpoolPath, payload: unknown) => Promise<{ id: string }>;
}>;

/** What may wait in the spool while dispatch is down: records that must not be lost. */
export type SpoolPath = '/v1/callbacks' | '/v1/calls/records';

export class DispatchUnavailableError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'DispatchUnavailableError';
    this.retryable = retryable;
  }
}

/**
 * @example
 * const dispatch = createDispatchClient({ url: 'http://dispatch:8080', token });
 * const { id } = await dispatch.createContext(record); // callbacks and call records go through dispatch-spool.ts
 */
export function createDispatchClient(opts: {
  url: string | undefined;
  token: string | undefined;
}): DispatchClient {
  return {
    createContext: (record) => post(opts, '/v1/context', newContextRecordSchema.parse(record)),
    createCallRecord: (record) =>
      post(opts, '/v1/calls/records', newCallRecordSchema.parse(record)),
    post: (path, payload) => post(opts, path, payload),
  };
}

async function post(
  opts: { url: string | undefined; token: string | undefined },
  path: string,
  payload: unknown,
): Promise<{ id: string }> {
  if (!opts.url || !opts.token) {
    throw new DispatchUnavailableError(
      'DISPATCH_URL and DISPATCH_API_TOKEN are not configured',
      false,
    );
  }
  const body = JSON.stringify(payload);
  let lastError = '';
  for (const delay of [0, 250, 1000]) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      const res = await fetch(`${opts.url.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(2000),
      });
      if (res.status === 201) return { id: ((await res.json()) as { id: string }).id };
      lastError = `dispatch answered ${res.status}: ${await res.text()}`;
      if (res.status < 500) throw new DispatchUnavailableError(lastError, false);
    } catch (err) {
      if (err instanceof DispatchUnavailableError) throw err;
      lastError = (err as Error).message;
    }
  }
  throw new DispatchUnavailableError(`dispatch unreachable: ${lastError}`, true);
}
