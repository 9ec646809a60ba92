/**
 * Files named by their content, for tools that only read paths
 * (pocketsphinx's grammar and feature parameters). The same content always
 * maps to the same file, so concurrent writers and restarts agree and nothing
 * needs deleting; the directory holds one small file per distinct content.
 * It is the user's own (mode 0700): a file another user could write would be
 * a grammar they chose.
 */
import { createHash, randomUUID } from 'node:crypto';
import { rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePrivateDir, userPrivateDir } from '../../worker/private-dir.ts';

/**
 * Where content files go when the caller names no directory (tests, the
 * benchmark): the user's own directory under the OS temporary directory. The
 * worker passes its configured one (`AgentConfig.files.pocketsphinx`).
 */
export const DEFAULT_CONTENT_FILE_DIR = join(userPrivateDir(tmpdir()), 'pocketsphinx');

/**
 * Path of a file in `dir` holding `content`, written if absent (atomically: a
 * reader never sees a partial file).
 *
 * @example
 * const grammarPath = await contentFile(grammar, 'gram', config.files.pocketsphinx);
 */
export async function contentFile(
  content: string,
  extension: string,
  dir: string = DEFAULT_CONTENT_FILE_DIR,
): Promise<string> {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 32);
  const path = join(dir, `${hash}.${extension}`);
  try {
    await stat(path);
    return path;
  } catch {
    await makePrivateDir(dir);
    const partial = `${path}.${randomUUID()}.partial`;
    await writeFile(partial, content, { mode: 0o600 });
    await rename(partial, path);
    return path;
  }
}
