/**
 * Every JSON route's body read one way: a body that is not JSON is
 * `400 invalid_json`; one the route's zod schema refuses is
 * `400 invalid_request` with every problem (contracts/issues.ts).
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { formatIssues } from '../../../contracts/issues.ts';

/**
 * The parsed body, or the response that refuses it.
 *
 * @example
 * const body = await jsonBody(c, newCallbackSchema);
 * if (body instanceof Response) return body;
 */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.output<S> | Response> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return c.json({ error: 'invalid_json' }, 400);
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : invalidRequest(c, parsed.error);
}

/**
 * `400 invalid_request` naming each problem (a body's or a query's).
 *
 * @example
 * if (!parsed.success) return invalidRequest(c, parsed.error);
 */
export function invalidRequest(c: Context, error: z.ZodError): Response {
  return c.json({ error: 'invalid_request', problems: formatIssues(error, '(body)') }, 400);
}
