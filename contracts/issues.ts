/**
 * One way to say what is wrong with outside input, for every zod schema both
 * services parse (HTTP bodies, environment, the routing file, job metadata):
 * `path.to.field: message`, the path replaced by a placeholder at the root.
 */
import type { z } from 'zod';

/**
 * @example
 * formatIssues(schema.safeParse({ to: 1 }).error!); // ['to: Invalid input: expected string, received number']
 * formatIssues(error, '(body)'); // ['(body): Invalid input: expected object, received array']
 */
export function formatIssues(error: z.ZodError, root = '(root)'): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : root}: ${i.message}`);
}
