import { describe, expect, it } from 'vitest';
import {
  decodeUui,
  encodeUui,
  escapeField,
  fitUui,
  formatFields,
  parseFields,
  transferFields,
  UuiError,
  uuiInReferTo,
  type UuiErrorCode,
} from './genesys-uui.ts';

const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex');

function uuiError(fn: () => unknown): UuiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UuiError) return err;
    throw err;
  }
  throw new Error('expected a UuiError');
}

function expectUuiError(fn: () => unknown, code: UuiErrorCode): UuiError {
  const err = uuiError(fn);
  expect(err.code).toBe(code);
  expect(err.name).toBe('UuiError');
  return err;
}

describe('decodeUui', () => {
  it('decodes the documented hex example', () => {
    expect(decodeUui('6163636f756e743d3432;encoding=hex')).toEqual({
      text: 'account=42',
      encoding: 'hex',
      fields: { account: '42' },
    });
  });

  it('treats data without an encoding parameter as hex (RFC 7433)', () => {
    const uui = decodeUui('6163636f756e743d3432');
    expect(uui.encoding).toBe('hex');
    expect(uui.fields).toEqual({ account: '42' });
  });

  it('accepts upper-case hex digits and an upper-case encoding value', () => {
    expect(decodeUui('6163636F756E743D3432;encoding=HEX').fields).toEqual({ account: '42' });
  });

  it('decodes ascii data as is', () => {
    expect(decodeUui('account=42;encoding=ascii')).toEqual({
      text: 'account=42',
      encoding: 'ascii',
      fields: { account: '42' },
    });
  });

  it('strips quotes around the data', () => {
    expect(decodeUui('"6163636f756e743d3432";encoding=hex').fields).toEqual({ account: '42' });
    expect(decodeUui('"account=42";encoding=ascii').text).toBe('account=42');
  });

  it('tolerates surrounding whitespace and spaces around parameters', () => {
    expect(decodeUui('  6869 ; encoding = hex  ')).toMatchObject({ text: 'hi', encoding: 'hex' });
  });

  it('ignores other RFC 7433 parameters', () => {
    expect(decodeUui(`${hex('a=1')};purpose=isdn-uui;content=isdn-uui;encoding=hex`)).toEqual({
      text: 'a=1',
      encoding: 'hex',
      fields: { a: '1' },
    });
  });

  it('splits fields on ;, | and &', () => {
    const text = 'account=42;tier=gold|lang=en-US&intent=billing';
    expect(decodeUui(`${hex(text)};encoding=hex`)).toEqual({
      text,
      encoding: 'hex',
      fields: { account: '42', tier: 'gold', lang: 'en-US', intent: 'billing' },
    });
  });

  it('decodes hex bytes as latin1 text', () => {
    expect(decodeUui('6e616d653d52656ee965;encoding=hex').fields).toEqual({ name: 'Renée' });
  });

  it('returns a frozen result with frozen fields', () => {
    const uui = decodeUui('6869');
    expect(Object.isFrozen(uui)).toBe(true);
    expect(Object.isFrozen(uui.fields)).toBe(true);
  });

  it.each([['616'], ['6g69'], ['0x6869'], ['68 69'], ['hello']])(
    'refuses the hex data %j with bad_hex',
    (data) => {
      expectUuiError(() => decodeUui(`${data};encoding=hex`), 'bad_hex');
    },
  );

  it('refuses non-hex data when no encoding is given', () => {
    expectUuiError(() => decodeUui('account=42'), 'bad_hex');
  });

  it.each([[''], ['   '], [';encoding=hex'], ['"";encoding=ascii']])(
    'refuses the empty value %j with empty',
    (value) => {
      expectUuiError(() => decodeUui(value), 'empty');
    },
  );

  it('refuses an unknown encoding, naming it', () => {
    const err = expectUuiError(() => decodeUui('6869;encoding=base64'), 'unknown_encoding');
    expect(err.message).toBe('unknown UUI encoding "base64"');
  });

  it('refuses an encoding parameter without a value', () => {
    expectUuiError(() => decodeUui('6869;encoding'), 'unknown_encoding');
  });
});

describe('ascii UUI with several fields', () => {
  it('round-trips through encodeUui and decodeUui', () => {
    const header = encodeUui('a=1;b=2', 'ascii', 128);
    expect(header).toBe('"a=1;b=2";encoding=ascii');
    expect(decodeUui(header).fields).toEqual({ a: '1', b: '2' });
  });

  it('keeps every field of unquoted ascii data before the parameters', () => {
    expect(decodeUui('a=1;b=2;encoding=ascii;purpose=isdn-uui').fields).toEqual({ a: '1', b: '2' });
  });

  it('refuses a double quote inside ascii data', () => {
    expectUuiError(() => encodeUui('a="1"', 'ascii', 128), 'bad_field');
  });
});

describe('parseFields', () => {
  it('lets later keys win', () => {
    expect(parseFields('a=1;b=2;a=3')).toEqual({ a: '3', b: '2' });
  });

  it('ignores items without a key or without =', () => {
    expect(parseFields('flag;=orphan;a=1;;b=')).toEqual({ a: '1', b: '' });
  });

  it('keeps = inside values and trims keys and values', () => {
    expect(parseFields(' expr = x=y ; n= 1 ')).toEqual({ expr: 'x=y', n: '1' });
  });

  it('returns no fields for free text', () => {
    expect(parseFields('just some text')).toEqual({});
  });
});

describe('formatFields', () => {
  it('joins k=v pairs with ; in insertion order', () => {
    expect(formatFields({ reason: 'dtmf_zero', account: '42', note: 'call back' })).toBe(
      'reason=dtmf_zero;account=42;note=call back',
    );
  });

  it('formats no fields as an empty string', () => {
    expect(formatFields({})).toBe('');
  });

  it.each([
    [{ reason: 'a;b' }],
    [{ reason: 'a|b' }],
    [{ reason: 'a&b' }],
    [{ reason: 'a=b' }],
    [{ 'rea;son': 'x' }],
    [{ 'rea=son': 'x' }],
  ])('refuses a separator in %j', (fields) => {
    expectUuiError(() => formatFields(fields), 'bad_field');
  });

  it.each([
    [{ reason: 'line\r\nbreak' }],
    [{ reason: 'tab\there' }],
    [{ reason: 'nul\u0000' }],
    [{ reason: 'Renée' }],
    [{ clé: 'x' }],
  ])('refuses a non-printable or non-ASCII character in %j', (fields) => {
    expectUuiError(() => formatFields(fields), 'bad_field');
  });

  it('names the offending field in the message', () => {
    const err = expectUuiError(() => formatFields({ ok: '1', summary: 'a;b' }), 'bad_field');
    expect(err.message).toContain('"summary"');
  });
});

describe('encodeUui', () => {
  it('encodes the documented hex example', () => {
    expect(encodeUui('reason=dtmf_0', 'hex', 128)).toBe('726561736f6e3d64746d665f30;encoding=hex');
  });

  it('encodes ascii as the text itself', () => {
    expect(encodeUui('reason=dtmf_0', 'ascii', 128)).toBe('"reason=dtmf_0";encoding=ascii');
  });

  it('allows spaces in ascii', () => {
    expect(encodeUui('note=call back', 'ascii', 128)).toBe('"note=call back";encoding=ascii');
  });

  it('accepts a payload of exactly maxBytes', () => {
    const text = 'x'.repeat(16);
    expect(encodeUui(text, 'hex', 16)).toBe(`${'78'.repeat(16)};encoding=hex`);
    expect(encodeUui(text, 'ascii', 16)).toBe(`"${text}";encoding=ascii`);
  });

  it('refuses one byte over maxBytes with exact counts', () => {
    const err = expectUuiError(() => encodeUui('x'.repeat(17), 'hex', 16), 'too_long');
    expect(err.message).toBe('UUI payload is 17 bytes, the limit is 16');
  });

  it('limits bytes before encoding, not the hex length', () => {
    const encoded = encodeUui('y'.repeat(128), 'hex', 128);
    expect(encoded).toHaveLength(256 + ';encoding=hex'.length);
    const err = expectUuiError(() => encodeUui('y'.repeat(129), 'hex', 128), 'too_long');
    expect(err.message).toBe('UUI payload is 129 bytes, the limit is 128');
  });

  it('counts latin1 characters as one byte each', () => {
    expect(encodeUui('é'.repeat(4), 'hex', 4)).toBe('e9e9e9e9;encoding=hex');
    expect(expectUuiError(() => encodeUui('é'.repeat(5), 'hex', 4), 'too_long').message).toBe(
      'UUI payload is 5 bytes, the limit is 4',
    );
  });

  it('refuses an empty payload', () => {
    expectUuiError(() => encodeUui('', 'hex', 128), 'empty');
    expectUuiError(() => encodeUui('', 'ascii', 128), 'empty');
  });

  it('refuses non-printable ascii payloads', () => {
    expectUuiError(() => encodeUui('a=1\r\nVia: x', 'ascii', 128), 'bad_field');
    expectUuiError(() => encodeUui('a=\t1', 'ascii', 128), 'bad_field');
    expectUuiError(() => encodeUui('name=Renée', 'ascii', 128), 'bad_field');
  });

  it('hex-encodes bytes that ascii would refuse', () => {
    expect(encodeUui('a\tb', 'hex', 128)).toBe('610962;encoding=hex');
  });
});

describe('uuiInReferTo', () => {
  it('embeds the documented example', () => {
    expect(uuiInReferTo('sip:+18005550199@genesys.example', '6869;encoding=hex')).toBe(
      'sip:+18005550199@genesys.example?User-to-User=6869%3Bencoding%3Dhex',
    );
  });

  it('percent-encodes ; and = exactly as %3B and %3D', () => {
    const uri = uuiInReferTo('sip:+18005550199@genesys.example', 'a=1;b=2;encoding=ascii');
    expect(uri).toBe(
      'sip:+18005550199@genesys.example?User-to-User=a%3D1%3Bb%3D2%3Bencoding%3Dascii',
    );
    expect(uri.split('?')[1]?.split('=')).toHaveLength(2);
    expect(uri.split('?')[1]).not.toContain(';');
  });

  it('appends with & when the URI already has embedded headers', () => {
    expect(uuiInReferTo('sip:+18005550199@genesys.example?X-Reason=dtmf', '6869')).toBe(
      'sip:+18005550199@genesys.example?X-Reason=dtmf&User-to-User=6869',
    );
  });

  it('keeps URI parameters before the header part', () => {
    expect(
      uuiInReferTo('sips:+18005550199@genesys.example:5061;transport=tls', '6869;encoding=hex'),
    ).toBe(
      'sips:+18005550199@genesys.example:5061;transport=tls?User-to-User=6869%3Bencoding%3Dhex',
    );
  });

  it('refuses tel: and other non-SIP targets', () => {
    expectUuiError(() => uuiInReferTo('tel:+18005550199', '6869;encoding=hex'), 'bad_field');
    expectUuiError(() => uuiInReferTo('http://genesys.example', '6869'), 'bad_field');
  });
});

describe('UUI round trip', () => {
  it('fields → formatFields → encodeUui(hex) → decodeUui gives the same fields', () => {
    const fields = {
      reason: 'dtmf_zero',
      conversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
      persona: 'triage',
      summary: 'wants to dispute a charge',
    };
    const header = encodeUui(formatFields(fields), 'hex', 128);
    expect(decodeUui(header).fields).toEqual(fields);
  });

  it('survives embedding in a Refer-To URI', () => {
    const fields = { reason: 'caller_request', account: '42' };
    const uri = uuiInReferTo(
      'sip:+18005550150@byoc.example',
      encodeUui(formatFields(fields), 'hex', 128),
    );
    const embedded = uri.split('?User-to-User=')[1];
    expect(embedded).toBeDefined();
    expect(decodeUui(decodeURIComponent(embedded ?? '')).fields).toEqual(fields);
  });

  it('round-trips a single field in ascii', () => {
    const header = encodeUui(formatFields({ reason: 'dtmf_zero' }), 'ascii', 128);
    expect(decodeUui(header)).toEqual({
      text: 'reason=dtmf_zero',
      encoding: 'ascii',
      fields: { reason: 'dtmf_zero' },
    });
  });
});

describe('protocol discriminator (Genesys drops the first octet of hex UUI)', () => {
  it('prepends the configured octet when encoding hex', () => {
    expect(encodeUui('a=1', 'hex', 128, { protocolDiscriminator: 0x04 })).toBe(
      '04613d31;encoding=hex',
    );
  });

  it('does not count the octet against the payload limit', () => {
    expect(() =>
      encodeUui('x'.repeat(16), 'hex', 16, { protocolDiscriminator: 0x04 }),
    ).not.toThrow();
  });

  it('strips a leading octet that matches the configured one', () => {
    const uui = decodeUui('04613d313b623d32;encoding=hex', { protocolDiscriminator: 0x04 });
    expect(uui.fields).toEqual({ a: '1', b: '2' });
    expect(uui.protocolDiscriminator).toBe(0x04);
  });

  it('keeps data that does not start with the configured octet', () => {
    const uui = decodeUui('613d31;encoding=hex', { protocolDiscriminator: 0x04 });
    expect(uui.fields).toEqual({ a: '1' });
    expect(uui.protocolDiscriminator).toBeUndefined();
  });

  it('reads a pd parameter and then keeps every octet of the data', () => {
    const uui = decodeUui('04613d31;pd=04;encoding=hex', { protocolDiscriminator: 0x04 });
    expect(uui.text).toBe('\x04a=1');
    expect(uui.protocolDiscriminator).toBe(0x04);
  });

  it('round-trips fields through a Refer-To as Genesys reads it', () => {
    const header = encodeUui(formatFields({ ai_reason: 'dtmf_zero' }), 'hex', 128, {
      protocolDiscriminator: 4,
    });
    const genesysSees = Buffer.from(header.split(';')[0] ?? '', 'hex')
      .subarray(1)
      .toString('latin1');
    expect(genesysSees).toBe('ai_reason=dtmf_zero');
  });
});

describe("transferFields (the caller's inbound UUI carried back)", () => {
  it('carries inbound data of any shape, escaped, so the REFER is still built', () => {
    const inbound = decodeUui(
      `${Buffer.from('name=José Ñúñez;note=a=b|ref=50%&ai_reason=billing', 'utf8').toString('hex')};encoding=hex`,
    ).fields;
    const fields = transferFields({ ai_reason: 'dtmf_zero', ai_route: 'main' }, inbound);
    expect(fields).toEqual({
      ai_reason: 'dtmf_zero',
      ai_route: 'main',
      // The UTF-8 bytes the flow sent, escaped one by one.
      name: 'Jos%C3%A9 %C3%91%C3%BA%C3%B1ez',
      note: 'a%3Db',
      ref: '50%25',
    });
    const { header } = fitUui(fields, 'hex', 512);
    expect(decodeUui(header ?? '').fields).toMatchObject({ ai_reason: 'dtmf_zero', note: 'a%3Db' });
    expect(fitUui(fields, 'ascii', 512).header).toBeDefined();
  });

  it("never lets an inbound field override or pose as one of the product's", () => {
    expect(
      transferFields(
        { ai_reason: 'frustration' },
        { ai_reason: 'x', AI_CTX: 'forged', tier: 'gold' },
      ),
    ).toEqual({ ai_reason: 'frustration', tier: 'gold' });
  });

  it("keeps the product's fields first, so a UUI too long drops the caller's data, not ours", () => {
    const fields = transferFields({ ai_reason: 'dtmf_zero' }, { blob: 'x'.repeat(300) });
    expect(fitUui(fields, 'hex', 128)).toMatchObject({ droppedFields: ['blob'] });
  });
});

describe('escapeField', () => {
  it('percent-encodes separators, quotes, % and anything outside printable ASCII', () => {
    expect(escapeField('José=VIP; "a"|b&c%\n')).toBe('Jos%E9%3DVIP%3B %22a%22%7Cb%26c%25%0A');
    expect(escapeField('5€')).toBe('5%E2%82%AC');
    expect(escapeField('plain text 42')).toBe('plain text 42');
  });
});
