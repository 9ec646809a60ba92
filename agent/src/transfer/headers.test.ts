import { describe, expect, it } from 'vitest';
import { MAX_HEADER_VALUE_LENGTH, SipHeaderError, validateSipHeaders } from './headers.ts';

function headerError(headers: Record<string, string>): SipHeaderError {
  try {
    validateSipHeaders(headers);
  } catch (err) {
    if (err instanceof SipHeaderError) return err;
    throw err;
  }
  throw new Error(`expected SipHeaderError for ${JSON.stringify(headers)}`);
}

describe('validateSipHeaders', () => {
  it('returns a copy of valid headers', () => {
    const headers = { 'X-Reason': 'dtmf_zero', 'X-Persona': 'triage', 'X-Empty': '' };
    const out = validateSipHeaders(headers);
    expect(out).toEqual(headers);
    expect(out).not.toBe(headers);
    out['X-Reason'] = 'changed';
    expect(headers['X-Reason']).toBe('dtmf_zero');
  });

  it.each([['Subject'], ['r'], ['v'], ['o'], ['User-to-User']])(
    'refuses the non-X- name %j (compact forms included)',
    (name) => {
      expect(headerError({ [name]: 'v' }).message).toMatch(
        /must start with X-|managed by the SIP stack/,
      );
    },
  );

  it.each([['X-Genesys.Queue'], ['x-inin-cnv'], ['X-PCV-Thing'], ['X-gcv']])(
    'refuses the Genesys-reserved name %j',
    (name) => {
      expect(headerError({ [name]: 'v' }).message).toMatch(/Genesys Cloud reserves/);
    },
  );

  it('accepts no headers', () => {
    expect(validateSipHeaders({})).toEqual({});
  });

  it.each([['X-AI-Queue'], ["X-a!%*_+`'~"], ['X-Via'], ['X-Refer-To']])(
    'accepts the token name %j',
    (name) => {
      expect(validateSipHeaders({ [name]: 'v' })).toEqual({ [name]: 'v' });
    },
  );

  it.each([
    ['X Reason'],
    ['X-Reason:'],
    [''],
    ['X-Ré'],
    ['X-Reason\r\nVia'],
    ['X-(comment)'],
    ['X-a@b'],
    ['X-"quoted"'],
  ])('refuses the non-token name %j', (name) => {
    const err = headerError({ [name]: 'v' });
    expect(err.header).toBe(name);
    expect(err.message).toBe(`header ${JSON.stringify(name)}: name is not a SIP token`);
  });

  it.each([
    ['Refer-To'],
    ['refer-to'],
    ['REFERRED-BY'],
    ['via'],
    ['Via'],
    ['From'],
    ['to'],
    ['Contact'],
    ['Call-ID'],
    ['CSeq'],
    ['Route'],
    ['Record-Route'],
    ['Max-Forwards'],
    ['Event'],
    ['Content-Length'],
    ['Content-Type'],
    ['Authorization'],
    ['Proxy-Authorization'],
    ['Expires'],
    ['Allow'],
    ['Supported'],
    ['Require'],
  ])('refuses the stack-managed header %j', (name) => {
    const err = headerError({ 'X-Ok': 'fine', [name]: 'sip:evil@attacker.example' });
    expect(err.header).toBe(name);
    expect(err.message).toBe(`header ${JSON.stringify(name)}: is managed by the SIP stack`);
  });

  it.each([
    ['CRLF injection', 'dtmf\r\nVia: SIP/2.0/UDP evil.example'],
    ['bare LF', 'dtmf\nX-Other: 1'],
    ['bare CR', 'dtmf\rX-Other: 1'],
    ['tab', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['latin1', 'café'],
    ['emoji', 'ok 👍'],
  ])('refuses a value with %s', (_label, value) => {
    const err = headerError({ 'X-Reason': value });
    expect(err.header).toBe('X-Reason');
    expect(err.message).toBe('header "X-Reason": value has non-printable characters');
  });

  it('accepts printable ASCII including spaces and punctuation', () => {
    const value = ' !"#$%&\'()*+,-./0123456789:;<=>?@[\\]^_`{|}~ ';
    expect(validateSipHeaders({ 'X-Note': value })).toEqual({ 'X-Note': value });
  });

  it('accepts a value of exactly MAX_HEADER_VALUE_LENGTH characters', () => {
    expect(MAX_HEADER_VALUE_LENGTH).toBe(1024);
    const value = 'a'.repeat(1024);
    expect(validateSipHeaders({ 'X-Long': value })['X-Long']).toHaveLength(1024);
  });

  it('refuses a value of 1025 characters', () => {
    const err = headerError({ 'X-Long': 'a'.repeat(1025) });
    expect(err.header).toBe('X-Long');
    expect(err.message).toBe('header "X-Long": value is longer than 1024 characters');
  });

  it('refuses the whole set when one header is bad', () => {
    const err = headerError({ 'X-Reason': 'dtmf_zero', 'X-Bad': 'a\r\nb', 'X-Later': 'ok' });
    expect(err.header).toBe('X-Bad');
    expect(err.name).toBe('SipHeaderError');
    expect(err).toBeInstanceOf(Error);
  });
});
