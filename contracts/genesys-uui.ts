/**
 * User-to-User Information (RFC 7433) as Genesys Cloud uses it: a header value
 * `<data>;encoding=hex|ascii`, whose decoded text carries `key=value` fields
 * separated by `;`, `|` or `&`. Genesys exposes the decoded text as
 * `Call.UUIData`; it reads UUI on a returned call only from inside the
 * Refer-To URI.
 *
 * Genesys treats the first octet of hex `User-to-User` data as the ISDN
 * protocol discriminator (PD) and drops it, unless a `pd` parameter carries
 * it: so we prepend the configured PD when encoding, and remove it when a
 * decoded payload starts with it.
 */

/** Options shared by encoding and decoding: the protocol discriminator octet, if the trunk uses one. */
export type UuiOptions = Readonly<{ protocolDiscriminator?: number }>;

export type UuiEncoding = 'hex' | 'ascii';

export type Uui = Readonly<{
  /** Decoded payload as text (latin1 for hex bytes). */
  text: string;
  encoding: UuiEncoding;
  /** `key=value` fields found in the text; later keys win. */
  fields: Readonly<Record<string, string>>;
  /** The protocol discriminator removed from the data (or given as `pd`), if any. */
  protocolDiscriminator: number | undefined;
}>;

export type UuiErrorCode = 'empty' | 'bad_hex' | 'unknown_encoding' | 'too_long' | 'bad_field';

/** Malformed or oversized UUI. `code` is stable for callers to branch on. */
export class UuiError extends Error {
  readonly code: UuiErrorCode;
  constructor(code: UuiErrorCode, message: string) {
    super(message);
    this.name = 'UuiError';
    this.code = code;
  }
}

const FIELD_SEPARATORS = /[;|&]/;

/**
 * Decodes a User-to-User header value. Without an `encoding` parameter the
 * data is hex, as RFC 7433 says.
 *
 * @example
 * decodeUui('6163636f756e743d3432;encoding=hex').fields; // { account: '42' }
 */
export function decodeUui(headerValue: string, opts: UuiOptions = {}): Uui {
  const { data, params } = splitHeaderValue(headerValue.trim());
  if (data === '') throw new UuiError('empty', 'UUI header has no data');
  let encoding: UuiEncoding = 'hex';
  const declared = params.get('encoding');
  if (declared !== undefined) {
    if (declared !== 'hex' && declared !== 'ascii') {
      throw new UuiError('unknown_encoding', `unknown UUI encoding "${declared}"`);
    }
    encoding = declared;
  }
  let text = encoding === 'hex' ? hexToText(data) : data;
  let protocolDiscriminator: number | undefined;
  const pdParam = params.get('pd');
  if (pdParam !== undefined && /^[0-9a-f]{1,2}$/.test(pdParam)) {
    protocolDiscriminator = Number.parseInt(pdParam, 16);
  } else if (
    encoding === 'hex' &&
    opts.protocolDiscriminator !== undefined &&
    text.charCodeAt(0) === opts.protocolDiscriminator
  ) {
    protocolDiscriminator = opts.protocolDiscriminator;
    text = text.slice(1);
  }
  return Object.freeze({ text, encoding, fields: parseFields(text), protocolDiscriminator });
}

/** RFC 7433 header parameters; any other `;`-segment belongs to ascii data. */
const UUI_PARAMS = new Set(['encoding', 'purpose', 'content', 'pd']);

/**
 * Separates UUI data from its header parameters. Data may be a quoted string
 * (which may hold `;`); unquoted ascii data keeps every `;`-segment that is not
 * a trailing RFC 7433 parameter, so `a=1;b=2;encoding=ascii` keeps both fields.
 */
function splitHeaderValue(value: string): { data: string; params: Map<string, string> } {
  let data: string;
  let rest: string[];
  if (value.startsWith('"')) {
    const end = value.indexOf('"', 1);
    if (end < 0) throw new UuiError('bad_field', 'UUI quoted data is not terminated');
    data = value.slice(1, end);
    rest = value
      .slice(end + 1)
      .split(';')
      .slice(1);
  } else {
    const segments = value.split(';');
    let paramStart = segments.length;
    while (paramStart > 1 && UUI_PARAMS.has(paramName(segments[paramStart - 1] ?? '')))
      paramStart--;
    data = segments.slice(0, paramStart).join(';').trim();
    rest = segments.slice(paramStart);
  }
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name !== '')
      params.set(
        name,
        eq < 0
          ? ''
          : p
              .slice(eq + 1)
              .trim()
              .toLowerCase(),
      );
  }
  return { data, params };
}

function paramName(segment: string): string {
  return segment.split('=', 1)[0]?.trim().toLowerCase() ?? '';
}

/** Parses `k=v` pairs; items without `=` are ignored. */
export function parseFields(text: string): Readonly<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const item of text.split(FIELD_SEPARATORS)) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    if (key !== '') fields[key] = item.slice(eq + 1).trim();
  }
  return Object.freeze(fields);
}

/**
 * Serialises fields as `k=v;k=v`. Keys and values must not contain the
 * separators or `=`, and must be printable ASCII, so the result survives any
 * encoding and Genesys' own parsing.
 */
export function formatFields(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => {
      for (const part of [k, v]) {
        if (!/^[\x20-\x7e]*$/.test(part) || /[;|&=]/.test(part)) {
          throw new UuiError(
            'bad_field',
            `UUI field "${k}" has a separator or non-printable character`,
          );
        }
      }
      return `${k}=${v}`;
    })
    .join(';');
}

/** The prefix of the fields the product itself writes; a caller's inbound field with it never travels. */
export const OWN_FIELD_PREFIX = 'ai_';

/** What {@link formatFields} cannot carry, and `%` itself (so escaping is lossless). */
const UNSAFE_FIELD_CHAR = /[^\x20-\x7e]|[;|&=%"]/gu;

/**
 * Percent-encodes every character a UUI field cannot carry as is. A
 * character up to U+00FF is one byte (hex UUI is read as latin1, so the
 * UTF-8 bytes Genesys sent come back out unchanged); above it, its UTF-8 bytes.
 *
 * @example
 * escapeField(decodeUui('4a6f73c3a93d564950').text); // 'Jos%C3%A9%3DVIP' (hex of UTF-8 "José=VIP")
 */
export function escapeField(text: string): string {
  const byte = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return text.replace(UNSAFE_FIELD_CHAR, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code <= 0xff ? byte(code) : [...Buffer.from(ch, 'utf8')].map(byte).join('');
  });
}

/**
 * The fields a transfer carries back to Genesys: the product's own first
 * (they are the last dropped when the UUI is too long), then the caller's
 * inbound fields. An inbound field named like one of ours (`ai_*`) is left
 * out, so customer data never overrides the product's; every other inbound
 * key and value is escaped ({@link escapeField}), so data of any shape from
 * the customer's flow still travels and never costs the caller the transfer.
 *
 * @example
 * transferFields({ ai_reason: 'dtmf_zero' }, { name: 'José', ai_reason: 'x' });
 * // { ai_reason: 'dtmf_zero', name: 'Jos%C3%A9' }
 */
export function transferFields(
  own: Readonly<Record<string, string>>,
  inbound: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const fields: Record<string, string> = { ...own };
  for (const [key, value] of Object.entries(inbound ?? {})) {
    if (key.toLowerCase().startsWith(OWN_FIELD_PREFIX)) continue;
    const escaped = escapeField(key);
    if (!(escaped in fields)) fields[escaped] = escapeField(value);
  }
  return fields;
}

/**
 * Encodes text as a UUI header value, refusing payloads over `maxBytes` (the
 * text itself, not counting a protocol discriminator, which hex data carries
 * as its first octet).
 *
 * @example
 * encodeUui('reason=dtmf_0', 'hex', 128); // '726561736f6e3d64746d665f30;encoding=hex'
 */
export function encodeUui(
  text: string,
  encoding: UuiEncoding,
  maxBytes: number,
  opts: UuiOptions = {},
): string {
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length === 0) throw new UuiError('empty', 'UUI payload is empty');
  if (bytes.length > maxBytes) {
    throw new UuiError(
      'too_long',
      `UUI payload is ${bytes.length} bytes, the limit is ${maxBytes}`,
    );
  }
  if (encoding === 'ascii' && !/^[\x21-\x7e]+$/.test(text.replace(/ /g, '_'))) {
    throw new UuiError('bad_field', 'ascii UUI must be printable ASCII');
  }
  if (encoding === 'ascii' && text.includes('"')) {
    throw new UuiError('bad_field', 'ascii UUI must not contain a double quote');
  }
  // Quoted so that a `;` between fields is never read as a header parameter.
  const pd = opts.protocolDiscriminator;
  const payload = pd === undefined ? bytes : Buffer.concat([Buffer.from([pd]), bytes]);
  const data = encoding === 'hex' ? payload.toString('hex') : `"${text}"`;
  return `${data};encoding=${encoding}`;
}

/**
 * Puts a UUI header value inside a SIP Refer-To URI as an embedded header
 * (`?User-to-User=...`), which is where Genesys reads it on a transfer.
 *
 * @example
 * uuiInReferTo('sip:+18005550199@genesys.example', '6869;encoding=hex');
 * // 'sip:+18005550199@genesys.example?User-to-User=6869%3Bencoding%3Dhex'
 */
export function uuiInReferTo(target: string, uuiHeaderValue: string): string {
  if (!/^sips?:/.test(target)) {
    throw new UuiError('bad_field', 'UUI can only be embedded in a sip: or sips: URI');
  }
  const sep = target.includes('?') ? '&' : '?';
  return `${target}${sep}User-to-User=${encodeURIComponent(uuiHeaderValue)}`;
}

function hexToText(hex: string): string {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
    throw new UuiError('bad_hex', 'UUI data is not an even-length hex string');
  }
  return Buffer.from(hex, 'hex').toString('latin1');
}

/**
 * Builds the Refer-To URI. When the UUI is too long, fields are dropped from
 * the end until it fits: the caller is transferred with less context rather
 * than not at all. `tel:` targets carry no UUI.
 *
 * @example
 * buildReferTo('sip:+18005550199@gen.example', { reason: 'dtmf_zero' }, 'hex', 128);
 * // { uri: 'sip:+18005550199@gen.example?User-to-User=726561736f6e3d64746d665f7a65726f%3Bencoding%3Dhex', droppedFields: [] }
 */
export function buildReferTo(
  target: string,
  fields: Readonly<Record<string, string>>,
  encoding: UuiEncoding,
  maxBytes: number,
  uuiOptions: UuiOptions = {},
): { uri: string; droppedFields: string[] } {
  if (!/^sips?:/.test(target)) return { uri: target, droppedFields: Object.keys(fields) };
  const { header, droppedFields } = fitUui(fields, encoding, maxBytes, uuiOptions);
  return { uri: header ? uuiInReferTo(target, header) : target, droppedFields };
}

/**
 * The UUI header value carrying as many of `fields` as fit in `maxBytes`,
 * dropping fields from the end; `header` is undefined when none fits.
 *
 * @example
 * fitUui({ ai_reason: 'dtmf_zero' }, 'hex', 128).header; // '61695f726561736f6e3d64746d665f7a65726f;encoding=hex'
 */
export function fitUui(
  fields: Readonly<Record<string, string>>,
  encoding: UuiEncoding,
  maxBytes: number,
  uuiOptions: UuiOptions = {},
): { header: string | undefined; droppedFields: string[] } {
  const entries = Object.entries(fields);
  const dropped: string[] = [];
  while (entries.length > 0) {
    try {
      const header = encodeUui(
        formatFields(Object.fromEntries(entries)),
        encoding,
        maxBytes,
        uuiOptions,
      );
      return { header, droppedFields: dropped };
    } catch (err) {
      if (!(err instanceof UuiError) || err.code !== 'too_long') throw err;
      const last = entries.pop();
      if (last) dropped.unshift(last[0]);
    }
  }
  return { header: undefined, droppedFields: dropped };
}
