import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues } from './issues.ts';

describe('formatIssues', () => {
  const schema = z.object({ to: z.string(), context: z.object({ reason: z.string() }) }).strict();

  it('names every problem by its path', () => {
    const error = schema.safeParse({ to: 1, context: { reason: 2 }, extra: true }).error!;
    expect(formatIssues(error)).toEqual([
      'to: Invalid input: expected string, received number',
      'context.reason: Invalid input: expected string, received number',
      '(root): Unrecognized key: "extra"',
    ]);
  });

  it('names the root as the caller says', () => {
    expect(formatIssues(schema.safeParse([]).error!, '(body)')).toEqual([
      '(body): Invalid input: expected object, received array',
    ]);
  });
});
