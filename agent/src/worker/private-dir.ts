/**
 * Where a worker and its job processes keep the files they create (the
 * dispatch spool, Node's compile cache, greeting audio, the offline
 * recognizer's grammar files and input FIFOs): one directory per user under
 * the temporary directory, `genesys-voice-agent-<uid>`, mode 0700, and
 * subdirectories of it made 0700 too. Two users of one host never share it
 * (neither can read, fill or plant files in the other's), and the workers of
 * one user share only what is safe to share: caches named by their content
 * and written atomically, FIFOs with unique names, and a spool whose files a
 * worker claims before delivering them (dispatch-spool.ts).
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Mode of every directory the agent creates for its files: the user's alone. */
export const PRIVATE_DIR_MODE = 0o700;

/** The user's directory is not theirs alone: someone else owns it, or it is not a directory. */
export class PrivateDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateDirError';
  }
}

/**
 * The user's own directory under `tmp`.
 *
 * @example
 * userPrivateDir('/tmp', 10001); // '/tmp/genesys-voice-agent-10001'
 */
export function userPrivateDir(tmp: string, uid: number | undefined = process.getuid?.()): string {
  return join(tmp, `genesys-voice-agent-${uid ?? 'user'}`);
}

/**
 * Makes `dir` (and missing parents) with mode 0700 unless it exists, and
 * checks it is this user's own: a directory (not a symlink) owned by this
 * uid. One of the user's own that is open to others is narrowed to 0700.
 * The worker calls it once at start-up, before its job processes fork.
 *
 * @throws PrivateDirError when it cannot be made, another user owns it, or it is not a directory.
 * @example
 * ensurePrivateDir(config.files.root);
 */
export function ensurePrivateDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    throw new PrivateDirError(`${dir} cannot be made: ${(err as Error).message}`);
  }
  const stats = lstatSync(dir);
  if (stats.isSymbolicLink() || !stats.isDirectory())
    throw new PrivateDirError(`${dir} is not a directory of this user's: something else is there`);
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid)
    throw new PrivateDirError(
      `${dir} belongs to uid ${stats.uid}, not to this user (uid ${uid}): set TMPDIR to a directory of this user's`,
    );
  if ((stats.mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
  return dir;
}

/**
 * Makes `dir` (and missing parents) with mode 0700 if it is not there yet;
 * what the job processes call before they write a file.
 *
 * @example
 * await makePrivateDir(join(config.files.root, 'greetings'));
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}
