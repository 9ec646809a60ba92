/**
 * Files named by their content, for tools that only read paths
 * (pocketsphinx's grammar and feature parameters). The same content always
 * maps to the same file, so concurrent writers and restarts agree and nothing
 * needs deleting; the directory holds one small file per distinct content.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Directory of the content files, under the OS temporary directory. */
export const CONTENT_FILE_DIR = join(tmpdir(), 'genesys-voice-agents', 'pocketsphinx');

/**
 * Path of a file holding `content`, written if absent (atomically: a reader
 * never sees a partial file).
 *
 * @example
 * const grammarPath = await contentFile(grammar, 'gram');
 */
export async function contentFile(content: string, extension: string): Promise<string> {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 32);
  const path = join(CONTENT_FILE_DIR, `${hash}.${extension}`);
  try {
    await stat(path);
    return path;
  } catch {
    await mkdir(CONTENT_FILE_DIR, { recursive: true });
    const partial = `${path}.${randomUUID()}.partial`;
    await writeFile(partial, content);
    await rename(partial, path);
    return path;
  }
}
