/**
 * One attempt at delivering a call record to a webhook: a signed JSON POST,
 * no redirects followed, bounded in time.
 */
import type { CallRecord } from '../../../contracts/call-record.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './signature.ts';

/** A call-record webhook from the routing file, with its secret from the environment. */
export type WebhookTarget = Readonly<{ name: string; url: string; secret: string }>;

/** `delivered` on 2xx; `interrupted` when `signal` aborted it (dispatch stopping). */
export type PostResult = Readonly<
  | { outcome: 'delivered'; status: number }
  | { outcome: 'failed'; error: string }
  | { outcome: 'interrupted' }
>;

export type PostOptions = Readonly<{
  fetch: typeof fetch;
  /** Unix milliseconds now: the signature's timestamp. */
  nowMs: number;
  timeoutMs: number;
  /** Aborts the attempt when dispatch stops. */
  signal: AbortSignal;
}>;

/**
 * POSTs `record` as JSON to `target.url`, signed (see signature.ts), with
 * `X-GVA-Delivery: deliveryId`. Never throws.
 *
 * @example
 * await postCallRecord(target, delivery.id, delivery.record, {
 *   fetch, nowMs: Date.now(), timeoutMs: 5000, signal,
 * }); // { outcome: 'failed', error: 'HTTP 503' }
 */
export async function postCallRecord(
  target: WebhookTarget,
  deliveryId: string,
  record: CallRecord,
  options: PostOptions,
): Promise<PostResult> {
  const body = JSON.stringify(record);
  const timestamp = Math.floor(options.nowMs / 1000);
  try {
    const res = await options.fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'gva-dispatch',
        [SIGNATURE_HEADER]: signWebhook(target.secret, timestamp, body),
        [TIMESTAMP_HEADER]: String(timestamp),
        [DELIVERY_HEADER]: deliveryId,
      },
      body,
      // A redirect would resend the signed record somewhere unconfigured: count it as a failure.
      redirect: 'manual',
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
    });
    await res.body?.cancel().catch(() => {});
    return res.status >= 200 && res.status < 300
      ? { outcome: 'delivered', status: res.status }
      : { outcome: 'failed', error: `HTTP ${res.status}` };
  } catch (err) {
    if (options.signal.aborted) return { outcome: 'interrupted' };
    return { outcome: 'failed', error: describeError(err, options.timeoutMs) };
  }
}

/** A short reason for the log and the outbox row: `timeout after 5000 ms`, `ECONNREFUSED`... */
function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError')
    return `timeout after ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
