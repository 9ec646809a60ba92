/**
 * Every JSON route's body read one way: a body over the route's limit is
 * `413 body_too_large` before it is read; a body that is not JSON is
 * `400 invalid_json`; one the route's zod schema refuses is
 * `400 invalid_request` with every problem (contracts/issues.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
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

/**
 * The body limit every route that takes a body declares, in bytes.
 *
 * @example
 * app.post('/v1/callbacks', bodyLimit(16 * 1024), async (c) => ...);
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: 'body_too_large' }, 413),
  });
}
