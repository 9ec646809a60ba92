import { describe, expect, it } from 'vitest';
import {
  DispatchMetadataError,
  encodeDispatchMetadata,
  parseDispatchMetadata,
} from './dispatch-metadata.ts';

function metadataError(text: string): DispatchMetadataError {
  try {
    parseDispatchMetadata(text);
  } catch (err) {
    if (err instanceof DispatchMetadataError) return err;
    throw err;
  }
  throw new Error(`expected DispatchMetadataError for ${JSON.stringify(text)}`);
}

describe('encodeDispatchMetadata', () => {
  it('writes compact JSON with the version and a default empty values map', () => {
    expect(
      encodeDispatchMetadata({ v: 1, route: 'main', persona: 'triage', humanQueue: 'general' }),
    ).toBe('{"v":1,"route":"main","persona":"triage","humanQueue":"general","values":{}}');
  });

  it('refuses metadata that the agent could not parse', () => {
    expect(() =>
      encodeDispatchMetadata({ v: 1, route: '', persona: 'triage', humanQueue: 'general' }),
    ).toThrow(/route/);
  });
});

describe('parseDispatchMetadata', () => {
  it('round-trips what encodeDispatchMetadata writes', () => {
    const input = {
      v: 1 as const,
      route: 'billing-line',
      persona: 'billing',
      humanQueue: 'billing',
      values: { brand: 'acme', language: 'en-US' },
    };
    expect(parseDispatchMetadata(encodeDispatchMetadata(input))).toEqual(input);
  });

  it('parses the documented example and defaults values', () => {
    expect(
      parseDispatchMetadata('{"v":1,"route":"main","persona":"front-desk","humanQueue":"general"}'),
    ).toEqual({ v: 1, route: 'main', persona: 'front-desk', humanQueue: 'general', values: {} });
  });

  it('returns a frozen object, values included', () => {
    const meta = parseDispatchMetadata(
      '{"v":1,"route":"main","persona":"triage","humanQueue":"general","values":{"a":"b"}}',
    );
    expect(Object.isFrozen(meta)).toBe(true);
    expect(Object.isFrozen(meta.values)).toBe(true);
  });

  it.each([[''], ['not json'], ['{"v":1,'], ['route=main']])(
    'refuses non-JSON metadata %j',
    (text) => {
      const err = metadataError(text);
      expect(err.message).toBe('job metadata is not JSON');
      expect(err.name).toBe('DispatchMetadataError');
      expect(err).toBeInstanceOf(Error);
    },
  );

  it('refuses another version, naming the v field', () => {
    expect(
      metadataError('{"v":2,"route":"main","persona":"triage","humanQueue":"general"}').message,
    ).toBe('job metadata is invalid: v: Invalid input: expected 1');
  });

  it('names every missing field', () => {
    const { message } = metadataError('{"v":1,"persona":"triage"}');
    expect(message).toMatch(/^job metadata is invalid: /);
    expect(message).toContain('route: ');
    expect(message).toContain('humanQueue: ');
    expect(message).not.toContain('persona: ');
  });

  it('refuses empty strings', () => {
    expect(
      metadataError('{"v":1,"route":"","persona":"triage","humanQueue":"general"}').message,
    ).toMatch(/^job metadata is invalid: route: /);
  });

  it('refuses non-string values, naming the key', () => {
    expect(
      metadataError(
        '{"v":1,"route":"main","persona":"triage","humanQueue":"general","values":{"tier":3}}',
      ).message,
    ).toMatch(/^job metadata is invalid: values\.tier: /);
  });

  it('refuses unknown keys (strict)', () => {
    expect(
      metadataError('{"v":1,"route":"main","persona":"triage","humanQueue":"general","queue":"x"}')
        .message,
    ).toContain('Unrecognized key: "queue"');
  });

  it.each([['null'], ['[]'], ['"main"'], ['1']])('refuses the JSON value %s', (text) => {
    expect(metadataError(text).message).toMatch(/^job metadata is invalid: /);
  });
});
