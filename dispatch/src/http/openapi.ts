/**
 * GET /openapi.json: the dispatch API's OpenAPI 3.1 document
 * (dispatch/openapi.yaml), read and converted once, on the first request.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Handler } from 'hono';
import { parse as parseYaml } from 'yaml';
import { log } from '../log.ts';

export const OPENAPI_PATH = '/openapi.json';

/** Where the document lives in the repository and the image. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

/**
 * Reads and parses the document; throws when it is missing or not YAML.
 *
 * @example
 * loadOpenApi().openapi; // '3.1.0'
 */
export function loadOpenApi(file: string = OPENAPI_FILE): Readonly<Record<string, unknown>> {
  const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error('the OpenAPI document is not a mapping');
  return doc as Record<string, unknown>;
}

/**
 * The handler; 503 (never a crash) when the document cannot be read.
 *
 * @example
 * app.get(OPENAPI_PATH, openApiDocument());
 */
export function openApiDocument(file: string = OPENAPI_FILE): Handler {
  let doc: Readonly<Record<string, unknown>> | undefined;
  return (c) => {
    try {
      doc ??= loadOpenApi(file);
    } catch (err) {
      log.error('OpenAPI document unavailable', { file, error: (err as Error).message });
      return c.json({ error: 'openapi_unavailable' }, 503);
    }
    return c.json(doc);
  };
}
