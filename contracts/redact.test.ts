import { describe, expect, it } from 'vitest';
import { DEFAULT_SENSITIVE_KEYS, maskPhone, redactFields, redactText } from './redact.ts';

describe('redactText: phone numbers', () => {
  it.each([
    ['+15551234567'],
    ['+442079460958'],
    ['+1 555 123 4567'],
    ['+1 (555) 123-4567'],
    ['+33 1 23 45 67 89'],
    ['(555) 123-4567'],
    ['(555)123-4567'],
    ['555 123 4567'],
    ['555-123-4567'],
    ['555.123.4567'],
    ['5551234567'],
    ['1-800-555-0199'],
    ['1 (800) 555-0199'],
    ['020 7946 0958'],
    ['555-1234'],
  ])('masks %s as [phone]', (phone) => {
    expect(redactText(`call me on ${phone} please`)).toBe('call me on [phone] please');
  });

  it('masks a phone number at the start and at the end of the text', () => {
    expect(redactText('555-123-4567')).toBe('[phone]');
    expect(redactText('+15551234567 is my cell')).toBe('[phone] is my cell');
    expect(redactText('my cell is 555 123 4567.')).toBe('my cell is [phone].');
  });

  it('masks several numbers in one text independently', () => {
    expect(redactText('home 555-123-4567, work (555) 765-4321')).toBe('home [phone], work [phone]');
  });

  it('masks a "+" number too long for E.164 as [number]', () => {
    expect(redactText('+1234567890123456')).toBe('[number]');
  });
});

describe('redactText: card numbers', () => {
  it.each([
    ['4111111111111111', 'Luhn-valid, ungrouped'],
    ['4111 1111 1111 1111', 'grouped by spaces'],
    ['4111-1111-1111-1111', 'grouped by dashes'],
    ['4111111111111112', 'not Luhn-valid'],
    ['3782 822463 10005', '15-digit Amex grouping'],
    ['4222222222222', '13 digits'],
    ['6011 0009 9013 9424 123', '19 digits'],
  ])('masks %s (%s) as [card]', (card) => {
    expect(redactText(`my card is ${card}, thanks`)).toBe('my card is [card], thanks');
  });

  it('masks a card and its expiry, keeping a 3-digit code', () => {
    expect(redactText('card 4111 1111 1111 1111 expires 12/27 code 123')).toBe(
      'card [card] expires [number] code 123',
    );
  });
});

describe('redactText: other numbers', () => {
  it.each([
    ['account 12345678', 'account [number]'],
    ['my pin is 1234', 'my pin is [number]'],
    ['order #A-98765 shipped', 'order #A-[number] shipped'],
    ['ref 123456789012', 'ref [number]'],
    ['12345678901234567890 digits', '[number] digits'],
    ['born 05/01/1990', 'born [number]'],
    ['owes $1,234.56', 'owes $[number]'],
    ['account 1,234,567', 'account [number]'],
    ['code 12 34', 'code [number]'],
    ['ID AB12345', 'ID AB[number]'],
    ['since 2023', 'since [number]'],
  ])('%j → %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['press 1'],
    ['2 items'],
    ['room 123'],
    ['at 10:30 or 11:45'],
    ['options 1, 2 or 3'],
    ['between 10 and 20 dollars'],
    ['I have 2 kids and 3 dogs'],
    ['it costs $5.99'],
    [''],
  ])('keeps short numbers: %j', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('errs on masking: a short number right after a long one joins its run', () => {
    expect(redactText('pin 1234, 2 tries')).toBe('pin [number] tries');
  });

  it('does not join numbers separated by more than three separator characters', () => {
    expect(redactText('12    34')).toBe('12    34');
  });

  it('does not join across a newline', () => {
    expect(redactText('12\n34')).toBe('12\n34');
  });
});

describe('redactText: spoken digits', () => {
  it.each([
    ['my pin is one two three four', 'my pin is [number]'],
    ['account five, six, seven, eight, nine', 'account [number]'],
    ['code zero oh one two', 'code [number]'],
    ['it is Four Five Six Seven', 'it is [number]'],
    ['four-five-six-seven', '[number]'],
    ['five five five one two three four five six seven', '[phone]'],
    ['four one one one one one one one one one one one one one one one', '[card]'],
    ['pin 1 2 three four', 'pin [number]'],
    ['one 2345', '[number]'],
  ])('%j → %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['press one or two'],
    ['one two three go'],
    ['oh no, one moment'],
    ['someone, anyone, everyone and no one'],
    ['ones twos threes fours'],
    ['twenty-one forty-two'],
  ])('keeps fewer than four digit words: %j', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactText: e-mail addresses', () => {
  it.each([
    ['jo@example.com'],
    ['first.last+tag@mail.example.co.uk'],
    ['JO_SMITH@EXAMPLE.COM'],
    ['user1234@example.org'],
  ])('masks %s as [email]', (email) => {
    expect(redactText(`write to ${email}.`)).toBe('write to [email].');
  });

  it('keeps an @ that is not an address', () => {
    expect(redactText('meet @ noon, tag @support')).toBe('meet @ noon, tag @support');
    expect(redactText('user@localhost')).toBe('user@localhost');
  });
});

describe('redactText: mixed text and large input', () => {
  it('masks every kind in one transcript', () => {
    expect(
      redactText(
        'Hi, I am jo@example.com, card 4111-1111-1111-1111, call (555) 123-4567, account one two three four; 2 items.',
      ),
    ).toBe('Hi, I am [email], card [card], call [phone], account [number]; 2 items.');
  });

  it('is idempotent', () => {
    const once = redactText('card 4111 1111 1111 1111, phone +15551234567, jo@example.com');
    expect(redactText(once)).toBe(once);
  });

  it('processes 100 kB of digits and spaces into one masked run', () => {
    const text = '1234 '.repeat(20_000);
    expect(text.length).toBe(100_000);
    expect(redactText(text)).toBe('[number] ');
  });

  it('processes 100 kB of single digits separated by varying gaps', () => {
    // Gaps of 1-3 spaces join the four digits; a gap of 4 spaces ends the run.
    const unit = '1 2  3   4    ';
    const text = unit.repeat(Math.ceil(100_000 / unit.length));
    expect(redactText(text)).toBe('[number]    '.repeat(text.length / unit.length));
  });

  it('processes 100 kB of near-miss e-mail and number-word input', () => {
    const local = 'a.b-c_'.repeat(17_000);
    expect(redactText(`${local}@nodot`)).toBe(`${local}@nodot`);
    expect(redactText('x@y'.repeat(34_000))).toBe('x@y'.repeat(34_000));
    expect(redactText('one '.repeat(25_000))).toBe('[number] ');
    expect(redactText('ones '.repeat(20_000))).toBe('ones '.repeat(20_000));
  });

  it('leaves no digit in redacted random digit-and-separator text', () => {
    let seed = 42;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    const chars = '0123456789 -.()/,';
    const text = Array.from({ length: 100_000 }, () => chars[next() % chars.length]).join('');
    const redacted = redactText(text);
    // Every run of 4+ digits, with up to three separators between them, is gone.
    expect(redacted).not.toMatch(/\d(?:[ ().,/-]{0,3}\d){3}/);
  });
});

describe('maskPhone', () => {
  it.each([
    ['+15551234567', '+•••••••••67'],
    ['15551234567', '•••••••••67'],
    ['+1 (555) 123-4567', '+• (•••) •••-••67'],
    ['sip:+15551234567@pbx.example', 'sip:+•••••••••67@pbx.example'],
    ['12', '12'],
    ['7', '7'],
    ['anonymous', 'anonymous'],
    ['', ''],
  ])('%j → %j', (number, expected) => {
    expect(maskPhone(number)).toBe(expected);
  });
});

describe('redactFields', () => {
  it('masks sensitive keys whole and passes other values through redactText', () => {
    expect(
      redactFields({
        account: '12345',
        intent: 'billing',
        note: 'call back on 555-123-4567 after 5',
      }),
    ).toEqual({ account: '[redacted]', intent: 'billing', note: 'call back on [phone] after 5' });
  });

  it.each([
    ['account'],
    ['accountId'],
    ['acct_no'],
    ['pin'],
    ['PIN'],
    ['pinCode'],
    ['user_pin'],
    ['card_last4'],
    ['creditCard'],
    ['ssn'],
    ['SSN'],
    ['dob'],
    ['date_of_birth'],
    ['phone'],
    ['phoneNumber'],
    ['ani'],
    ['callerANI'],
    ['caller-ani'],
    ['callback'],
    ['callback_number'],
    ['order_number'],
    ['email'],
    ['e-mail'],
    ['contactEmail'],
  ])('redacts key %s', (key) => {
    expect(redactFields({ [key]: 'abc' })).toEqual({ [key]: '[redacted]' });
  });

  it.each([['intent'], ['issue_type'], ['shipping'], ['organization'], ['company'], ['reason']])(
    'keeps key %s',
    (key) => {
      expect(redactFields({ [key]: 'abc' })).toEqual({ [key]: 'abc' });
    },
  );

  it('keeps an empty sensitive value empty', () => {
    expect(redactFields({ account: '' })).toEqual({ account: '' });
  });

  it('takes its own sensitive-key pattern instead of the default', () => {
    expect(redactFields({ member: 'A1', account: 'abc' }, /^member$/)).toEqual({
      member: '[redacted]',
      account: 'abc',
    });
  });

  it('gives the same answer for every key with a global pattern', () => {
    const global = /member/g;
    expect(redactFields({ member1: 'a', member2: 'b', member3: 'c' }, global)).toEqual({
      member1: '[redacted]',
      member2: '[redacted]',
      member3: '[redacted]',
    });
  });

  it('returns a new frozen object and leaves the input alone', () => {
    const input = { account: '12345', intent: 'billing' };
    const out = redactFields(input);
    expect(out).not.toBe(input);
    expect(Object.isFrozen(out)).toBe(true);
    expect(input).toEqual({ account: '12345', intent: 'billing' });
  });

  it('keeps a __proto__ key as a plain own key', () => {
    const input = JSON.parse('{"__proto__": "4111 1111 1111 1111"}') as Record<string, string>;
    const out = redactFields(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.entries(out)).toEqual([['__proto__', '[card]']]);
  });

  it('exports its default pattern, case-insensitive', () => {
    expect(DEFAULT_SENSITIVE_KEYS.flags).toContain('i');
    expect(DEFAULT_SENSITIVE_KEYS.test('AccountNumber')).toBe(true);
  });
});
