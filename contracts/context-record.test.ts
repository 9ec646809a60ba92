import { describe, expect, it } from 'vitest';
import { contextFields, newContextRecordSchema } from './context-record.ts';

describe('contextFields', () => {
  it('leaves out keys too long and clips values, so the record is still accepted', () => {
    const fields = contextFields({ note: 'x'.repeat(600), ['k'.repeat(64)]: 'v', tier: 'gold' });
    expect(fields).toEqual({ note: 'x'.repeat(500), tier: 'gold' });
    const record = {
      reason: 'dtmf_zero',
      queue: 'general',
      route: 'main',
      persona: 'triage',
      fields,
    };
    expect(newContextRecordSchema.safeParse(record).success).toBe(true);
  });
});
