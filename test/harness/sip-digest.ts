/**
 * SIP digest authentication for the test probe (RFC 2617 with MD5, as RFC
 * 3261 uses it): the credentials a UAC puts in `Proxy-Authorization` or
 * `Authorization` to answer a 407 or 401 challenge.
 */
import { createHash, randomBytes } from 'node:crypto';

export type DigestCredentials = Readonly<{ username: string; password: string }>;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** The parameters of a `Digest ...` challenge (realm, nonce, qop, opaque...), keys lower-cased. */
export function parseDigestChallenge(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const body = header.replace(/^\s*Digest\s+/i, '');
  for (const m of body.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g))
    params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
  return params;
}

/**
 * The credentials header value answering `challenge` (the value of
 * `Proxy-Authenticate` or `WWW-Authenticate`) for a request `method uri`.
 * With `qop=auth` offered it counts nonce 1 with a fresh cnonce; without a
 * qop it is RFC 2069's `MD5(HA1:nonce:HA2)`, what livekit-sip expects.
 *
 * @example
 * const value = digestAuthorization(res407ProxyAuthenticate, 'INVITE', 'sip:+1800@127.0.0.1', {
 *   username: 'genesys', password: 'secret',
 * });
 * // 'Digest username="genesys", realm="LiveKit", nonce="...", uri="sip:...", response="...", algorithm=MD5'
 */
export function digestAuthorization(
  challenge: string,
  method: string,
  uri: string,
  credentials: DigestCredentials,
): string {
  const { realm = '', nonce = '', opaque, qop: offered } = parseDigestChallenge(challenge);
  const ha1 = md5(`${credentials.username}:${realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = offered
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = qop
    ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`);
  return [
    `Digest username="${credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ...(opaque !== undefined ? [`opaque="${opaque}"`] : []),
  ].join(', ');
}
