import { describe, expect, it } from 'vitest';
import { spokenKeys } from './spoken-keys.ts';

describe('spokenKeys', () => {
  it.each([
    ['one two three four five', '12345'],
    ['it is one two three four', '1234'],
    ['two oh four oh', '2040'],
    ['1 2 3 4', '1234'],
    ['my pin is 2040', '2040'],
    ['double five seven', '557'],
    ['triple nine', '999'],
    ['one two three pound', '123#'],
    ['star', '*'],
    ['Seven, Eight. Nine!', '789'],
  ])('hears %j as %j', (said, keys) => {
    expect(spokenKeys(said)).toBe(keys);
  });

  it.each([['I do not know it'], [''], ['can I talk to someone'], ['double trouble']])(
    'hears no keys in %j',
    (said) => {
      expect(spokenKeys(said)).toBe('');
    },
  );

  it('applies "double" to the next key only, and not across other words', () => {
    expect(spokenKeys('double one two')).toBe('112');
    expect(spokenKeys('double the one')).toBe('1');
  });
});
