import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { contentFile } from './content-file.ts';
import { contractedRun } from './contractions.ts';
import { buildJsgf, dictionaryRuns } from './jsgf.ts';
import { loadDictionaryWords } from './pocketsphinx-model.ts';
import { TESTDATA_DIR } from './testing/phone-audio.ts';

const run = promisify(execFile);
const dictionary = loadDictionaryWords();

/** Span alternatives of a built grammar, without their weights. */
const spansOf = (grammar: string) =>
  [...grammar.matchAll(/\/[^/]+\/ ([^|;\n]+)/g)].map((m) => (m[1] as string).trim());

describe('dictionaryRuns', () => {
  it('lower-cases, keeps inner apostrophes and splits runs at words the dictionary lacks', () => {
    const dropped = new Set<string>();
    const runs = dictionaryRuns("I'd like to pay Zorblax’s bill, NOW!", dictionary, dropped);
    expect(runs).toEqual([
      ["i'd", 'like', 'to', 'pay'],
      ['bill', 'now'],
    ]);
    expect([...dropped]).toEqual(["zorblax's"]);
  });

  it('splits hyphenated words the dictionary lacks into their parts', () => {
    expect(dictionaryRuns('a pay-per-view charge', dictionary)).toEqual([
      ['a', 'pay', 'per', 'view', 'charge'],
    ]);
  });
});

describe('contractedRun', () => {
  it('contracts word pairs whose contraction the dictionary has', () => {
    expect(contractedRun(['i', 'would', 'like', 'what', 'is', 'my', 'bill'], dictionary)).toEqual([
      "i'd",
      'like',
      "what's",
      'my',
      'bill',
    ]);
    expect(contractedRun(['i', 'can', 'not', 'pay'], dictionary)).toEqual(['i', "can't", 'pay']);
  });

  it('returns undefined when nothing contracts', () => {
    expect(contractedRun(['pay', 'my', 'bill'], dictionary)).toBeUndefined();
  });
});

describe('buildJsgf', () => {
  it('accepts every contiguous run of every phrase, contracted forms, and keywords', () => {
    const { grammar, words, droppedWords } = buildJsgf({
      phrases: ['I would like to pay', 'Yes'],
      keywords: ['Agent', 'Zorblax'],
    });
    const spans = spansOf(grammar);
    expect(spans).toContain('i would like to pay');
    expect(spans).toContain('like to');
    expect(spans).toContain("i'd like to pay");
    expect(spans).toContain('yes');
    expect(spans).toContain('agent');
    expect(spans).not.toContain('pay yes');
    expect(new Set(spans).size).toBe(spans.length);
    expect(words).toEqual(['i', 'would', 'like', 'to', 'pay', "i'd", 'yes', 'agent']);
    expect(droppedWords).toEqual(['zorblax']);
    expect(grammar).toMatch(/^#JSGF V1\.0;\n\ngrammar caller;\n\npublic <utterance> = <span>\+;/);
  });

  it('weights every span alike', () => {
    const { grammar } = buildJsgf({ phrases: ['pay my bill'], spanWeight: 1e-7 });
    expect(grammar.match(/\/1e-7\//g)).toHaveLength(6);
  });

  it('rejects phrases without a dictionary word and out-of-range weights', () => {
    expect(() => buildJsgf({ phrases: ['Zorblax Qwxyz'] })).toThrow(/no phrase or keyword/);
    expect(() => buildJsgf({ phrases: ['yes'], spanWeight: 0 })).toThrow(RangeError);
    expect(() => buildJsgf({ phrases: ['yes'], spanWeight: 1e-50 })).toThrow(RangeError);
  });

  it('builds a grammar pocketsphinx loads and decodes a recording with', async () => {
    const { grammar } = buildJsgf({ phrases: ['go forward ten meters', 'turn left'] });
    const path = await contentFile(grammar, 'gram');
    const { stdout } = await run('pocketsphinx_continuous', [
      '-infile',
      `${TESTDATA_DIR}/goforward.raw`,
      '-jsgf',
      path,
      '-logfn',
      '/dev/null',
    ]);
    expect(stdout.trim()).toBe('go forward ten meters');
  });
});
