import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './signature.ts';

const SECRET = 'crm-webhook-secret-0123456789';
const BODY = '{"id":"3f0c","outcome":"transferred"}';
const NOW = Date.parse('2026-01-05T10:00:00Z');
const TS = NOW / 1000;

describe('signWebhook', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, TS, BODY)).toBe(`sha256=${expected}`);
  });
});

describe('verifyWebhookSignature', () => {
  const signed = {
    secret: SECRET,
    signature: signWebhook(SECRET, TS, BODY),
    timestamp: String(TS),
    body: BODY,
    nowMs: NOW,
  };

  it('accepts a genuine request within the tolerance', () => {
    expect(verifyWebhookSignature(signed)).toBe(true);
    expect(verifyWebhookSignature({ ...signed, nowMs: NOW + 299_000 })).toBe(true);
  });

  it.each([
    ['another secret', { secret: 'another-secret-0123456789' }],
    ['a changed body', { body: BODY.replace('transferred', 'failed') }],
    ['another timestamp', { timestamp: String(TS + 1) }],
    ['a stale timestamp', { nowMs: NOW + 301_000 }],
    ['a timestamp from the future', { nowMs: NOW - 301_000 }],
    ['no signature', { signature: undefined }],
    ['no timestamp', { timestamp: undefined }],
    ['a malformed timestamp', { timestamp: '1e9' }],
    ['a truncated signature', { signature: signWebhook(SECRET, TS, BODY).slice(0, -2) }],
  ])('refuses %s', (_, change) => {
    expect(verifyWebhookSignature({ ...signed, ...change })).toBe(false);
  });

  it('takes a tolerance of its own', () => {
    expect(verifyWebhookSignature({ ...signed, nowMs: NOW + 61_000, toleranceSeconds: 60 })).toBe(
      false,
    );
  });
});
