import { describe, expect, it } from 'vitest';
import { normalizeUtterance } from './utterance.ts';

describe('normalizeUtterance', () => {
  it.each([
    ['Hello,   World!', 'hello world'],
    ["I'd like to talk to someone about my bill.", 'i would like to talk to someone about my bill'],
    ['I’d like a refund', 'i would like a refund'],
    ["My bill's wrong and I can't pay it", 'my bill wrong and i can not pay it'],
    [
      "I don't want that; we're done, you'll see, I've paid, I'm sure",
      'i do not want that we are done you will see i have paid i am sure',
    ],
    ["won't, cannot, let's", 'will not can not let us'],
    ['Café – crème brûlée', 'cafe creme brulee'],
    ['account #42/b', 'account 42 b'],
    ["'quoted' words", 'quoted words'],
    ['  \t\n ', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeUtterance(input)).toBe(expected);
  });

  it('leaves a normalized text unchanged', () => {
    const once = normalizeUtterance("I'd like to talk to someone, about my BILL!");
    expect(normalizeUtterance(once)).toBe(once);
  });
});
