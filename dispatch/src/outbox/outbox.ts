/**
 * The delivery loop of the call-record webhook outbox. Rows are written with
 * the record (same transaction); this loop claims the due ones, POSTs each
 * (post.ts), and records the outcome: delivered on 2xx, else retried with
 * backoff (backoff.ts) until it gives up. Rows live in the database, so a
 * restart loses nothing: pending rows are delivered once the loop starts.
 * Delivery is at least once (a crash after the POST, before the row is
 * updated, sends it again): receivers drop repeats by `X-GVA-Delivery`.
 */
import type { Counter } from 'prom-client';
import { log } from '../log.ts';
import type { ClaimedDelivery, Store } from '../store/store.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './backoff.ts';
import { postCallRecord, type WebhookTarget } from './post.ts';

/** The `result` label of a delivery attempt. */
export type DeliveryResult = 'delivered' | 'retry' | 'failed';

export const DELIVERY_RESULTS: readonly DeliveryResult[] = ['delivered', 'retry', 'failed'];

export type OutboxOptions = Readonly<{
  store: Store;
  webhooks: readonly WebhookTarget[];
  /** Counts attempts by webhook and result (DISPATCH_METRICS.webhookDeliveriesTotal). */
  deliveries?: Counter<'webhook' | 'result'>;
  /** Unix milliseconds; default Date.now. Tests move it instead of waiting. */
  now?: () => number;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  fetch?: typeof fetch;
  /** How often the loop looks for due rows when nothing wakes it; default 1000 ms. */
  pollIntervalMs?: number;
  /** Time limit of one POST; default 5000 ms. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Rows claimed (and POSTed concurrently) per pass; default 20. */
  batchSize?: number;
}>;

/** What one pass did. */
export type PassCounts = Record<DeliveryResult | 'interrupted', number>;

export type Outbox = Readonly<{
  /** One pass now: claims the due rows and attempts each once. */
  deliverDue(): Promise<PassCounts>;
  /** Starts the loop; its first pass runs at once (rows left by a previous run). */
  start(): void;
  /** Runs a pass soon (a record was just stored) instead of at the next poll. */
  wake(): void;
  /** Stops the loop: aborts POSTs in flight (their rows stay due) and waits for the pass. */
  stop(): Promise<void>;
}>;

/** How long a claim keeps other loops off a row: longer than any attempt takes. */
const LEASE_MARGIN_MS = 60_000;

/** Longest error text kept on a row. */
const MAX_ERROR_LENGTH = 500;

/**
 * Creates the outbox loop (not started).
 *
 * @example
 * const outbox = createOutbox({ store, webhooks: config.callRecordWebhooks, deliveries });
 * outbox.start();
 * // after storing a record: outbox.wake();
 * await outbox.stop(); // before store.close()
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { store, webhooks, deliveries } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? fetch;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const batchSize = options.batchSize ?? 20;
  const byName = new Map(webhooks.map((w) => [w.name, w]));
  const names = [...byName.keys()];
  for (const webhook of names) {
    for (const result of DELIVERY_RESULTS) deliveries?.inc({ webhook, result }, 0);
  }

  const stopping = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let again = false;

  async function attempt(d: ClaimedDelivery): Promise<DeliveryResult | 'interrupted'> {
    const target = byName.get(d.webhook);
    if (!target) return 'interrupted'; // claimed only for configured names
    const result = await postCallRecord(target, d.id, d.record, {
      fetch: doFetch,
      nowMs: now(),
      timeoutMs,
      signal: stopping.signal,
    });
    const fields = { webhook: d.webhook, deliveryId: d.id, callRecordId: d.record.id };
    if (result.outcome === 'interrupted') {
      // Not the receiver's fault: due again at once, attempt not counted.
      await store.finishDelivery(d.id, {
        status: 'pending',
        attempts: d.attempts,
        nextAttemptAt: new Date(now()),
        error: 'interrupted: dispatch stopped',
      });
      return 'interrupted';
    }
    const attempts = d.attempts + 1;
    let outcome: DeliveryResult;
    if (result.outcome === 'delivered') {
      await store.finishDelivery(d.id, { status: 'delivered', attempts, at: new Date(now()) });
      log.info('call record webhook delivered', { ...fields, attempts, status: result.status });
      outcome = 'delivered';
    } else if (attempts >= retry.maxAttempts) {
      const error = result.error.slice(0, MAX_ERROR_LENGTH);
      await store.finishDelivery(d.id, { status: 'failed', attempts, at: new Date(now()), error });
      log.error('call record webhook delivery failed; giving up', { ...fields, attempts, error });
      outcome = 'failed';
    } else {
      const error = result.error.slice(0, MAX_ERROR_LENGTH);
      const retryInMs = retryDelayMs(attempts, random, retry);
      await store.finishDelivery(d.id, {
        status: 'pending',
        attempts,
        nextAttemptAt: new Date(now() + retryInMs),
        error,
      });
      log.warn('call record webhook delivery failed; will retry', {
        ...fields,
        attempts,
        retryInMs,
        error,
      });
      outcome = 'retry';
    }
    deliveries?.inc({ webhook: d.webhook, result: outcome });
    return outcome;
  }

  async function deliverDue(): Promise<PassCounts> {
    const counts: PassCounts = { delivered: 0, retry: 0, failed: 0, interrupted: 0 };
    const at = now();
    const claimed = await store.claimDeliveries({
      webhooks: names,
      now: new Date(at),
      leaseUntil: new Date(at + timeoutMs + LEASE_MARGIN_MS),
      limit: batchSize,
    });
    const settled = await Promise.allSettled(claimed.map(attempt));
    for (const s of settled) {
      if (s.status === 'fulfilled') counts[s.value] += 1;
      // The row stays claimed until its lease ends, then is tried again.
      else log.error('call record webhook outcome not stored', { error: errorText(s.reason) });
    }
    if (claimed.length >= batchSize) again = true;
    return counts;
  }

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(runPass, delayMs);
  }

  function runPass(): void {
    timer = undefined;
    if (stopping.signal.aborted) return;
    if (pass) {
      again = true;
      return;
    }
    pass = (async () => {
      do {
        again = false;
        try {
          await deliverDue();
        } catch (err) {
          log.error('call record outbox pass failed', { error: errorText(err) });
        }
      } while (again && !stopping.signal.aborted);
    })().finally(() => {
      pass = undefined;
      if (!stopping.signal.aborted) schedule(pollIntervalMs);
    });
  }

  return {
    deliverDue,
    start() {
      if (started || stopping.signal.aborted) return;
      started = true;
      if (names.length > 0) schedule(0);
    },
    wake() {
      if (!started || stopping.signal.aborted || names.length === 0) return;
      if (pass) again = true;
      else schedule(0);
    },
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      timer = undefined;
      await pass;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
