/**
 * How dispatch signs a call-record webhook, and how a receiver checks it:
 * `X-GVA-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, keyed
 * with the webhook's secret, where `<timestamp>` is `X-GVA-Timestamp` (unix
 * seconds) and `<body>` the exact bytes of the request body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-GVA-Signature';
export const TIMESTAMP_HEADER = 'X-GVA-Timestamp';
/** The outbox row's id: the same on every attempt, so a receiver can drop repeats. */
export const DELIVERY_HEADER = 'X-GVA-Delivery';

/** How far a receiver should let a timestamp be from its own clock, seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The `X-GVA-Signature` value of a body sent at `timestamp` (unix seconds).
 *
 * @example
 * signWebhook('s3cret-0123456789', 1767225600, '{"id":"..."}'); // 'sha256=5f2c…'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

export type SignedRequest = Readonly<{
  secret: string;
  /** The `X-GVA-Signature` header as received. */
  signature: string | undefined;
  /** The `X-GVA-Timestamp` header as received. */
  timestamp: string | undefined;
  /** The raw body text, before any JSON parsing. */
  body: string;
  /** The receiver's clock, unix milliseconds; default now. */
  nowMs?: number;
  toleranceSeconds?: number;
}>;

/**
 * Whether a received webhook is genuine and fresh: the signature matches
 * (compared in constant time) and the timestamp is within the tolerance of
 * the receiver's clock. What a receiver written in TypeScript runs.
 *
 * @example
 * verifyWebhookSignature({
 *   secret: process.env.CRM_WEBHOOK_SECRET,
 *   signature: req.headers['x-gva-signature'],
 *   timestamp: req.headers['x-gva-timestamp'],
 *   body: rawBody,
 * }); // true or false
 */
export function verifyWebhookSignature(req: SignedRequest): boolean {
  if (req.signature === undefined || req.timestamp === undefined) return false;
  if (!/^\d{1,12}$/.test(req.timestamp)) return false;
  const timestamp = Number(req.timestamp);
  const tolerance = req.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs((req.nowMs ?? Date.now()) / 1000 - timestamp) > tolerance) return false;
  const expected = Buffer.from(signWebhook(req.secret, timestamp, req.body));
  const given = Buffer.from(req.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
