/**
 * Custom headers on a REFER must be `X-` SIP tokens outside the prefixes
 * Genesys reserves, with printable ASCII values: whatever a caller said can
 * never inject a header line or override one the SIP stack owns (compact
 * one-letter forms included, since they are not `X-`).
 */

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const FORBIDDEN = new Set([
  'refer-to',
  'referred-by',
  'from',
  'to',
  'contact',
  'call-id',
  'cseq',
  'via',
  'route',
  'record-route',
  'max-forwards',
  'event',
  'content-length',
  'content-type',
  'authorization',
  'proxy-authorization',
  'expires',
  'allow',
  'supported',
  'require',
]);
export const MAX_HEADER_VALUE_LENGTH = 1024;
const GENESYS_RESERVED = /^x-(inin|genesys|pcv|gcv)/i;

export class SipHeaderError extends Error {
  readonly header: string;
  constructor(header: string, message: string) {
    super(`header ${JSON.stringify(header)}: ${message}`);
    this.name = 'SipHeaderError';
    this.header = header;
  }
}

/**
 * Returns a copy of the headers after checking every name and value.
 *
 * @example
 * validateSipHeaders({ 'X-Reason': 'dtmf_zero' }); // { 'X-Reason': 'dtmf_zero' }
 * validateSipHeaders({ 'X-Bad': 'a\r\nVia: evil' }); // throws SipHeaderError
 */
export function validateSipHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new SipHeaderError(name, 'name is not a SIP token');
    if (FORBIDDEN.has(name.toLowerCase())) {
      throw new SipHeaderError(name, 'is managed by the SIP stack');
    }
    if (!/^x-/i.test(name)) throw new SipHeaderError(name, 'custom headers must start with X-');
    if (GENESYS_RESERVED.test(name)) {
      throw new SipHeaderError(name, 'uses a prefix Genesys Cloud reserves');
    }
    if (!/^[\x20-\x7e]*$/.test(value))
      throw new SipHeaderError(name, 'value has non-printable characters');
    if (value.length > MAX_HEADER_VALUE_LENGTH) {
      throw new SipHeaderError(name, `value is longer than ${MAX_HEADER_VALUE_LENGTH} characters`);
    }
    out[name] = value;
  }
  return out;
}
