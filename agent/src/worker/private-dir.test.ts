import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ensurePrivateDir,
  makePrivateDir,
  PRIVATE_DIR_MODE,
  PrivateDirError,
  userPrivateDir,
} from './private-dir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'private-dir-test-'));
  dirs.push(d);
  return d;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const isRoot = process.getuid?.() === 0;

describe('userPrivateDir', () => {
  it('names one directory per user, so two users of a host never share one', () => {
    expect(userPrivateDir('/tmp', 10001)).toBe('/tmp/genesys-voice-agent-10001');
    expect(userPrivateDir('/tmp', 10002)).not.toBe(userPrivateDir('/tmp', 10001));
    expect(userPrivateDir('/tmp')).toBe(`/tmp/genesys-voice-agent-${process.getuid?.()}`);
  });
});

describe('ensurePrivateDir', () => {
  it('makes the directory and its missing parents mode 0700, and is idempotent', () => {
    const base = scratch();
    const dir = join(base, 'tmp', userPrivateDir('', 10001));
    expect(ensurePrivateDir(dir)).toBe(dir);
    expect(mode(dir)).toBe(PRIVATE_DIR_MODE);
    expect(mode(join(base, 'tmp'))).toBe(PRIVATE_DIR_MODE);
    expect(statSync(dir).uid).toBe(process.getuid?.());
    expect(ensurePrivateDir(dir)).toBe(dir);
  });

  it("narrows one of the user's own that others could open to 0700", () => {
    const dir = join(scratch(), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    ensurePrivateDir(dir);
    expect(mode(dir)).toBe(PRIVATE_DIR_MODE);
  });

  it("refuses a symlink in its place, even to a directory of the user's", () => {
    const base = scratch();
    mkdirSync(join(base, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(base, 'elsewhere'), join(base, 'link'));
    expect(() => ensurePrivateDir(join(base, 'link'))).toThrow(PrivateDirError);
  });

  it('refuses a file in its place, and a directory it cannot make', () => {
    const base = scratch();
    writeFileSync(join(base, 'file'), '');
    expect(() => ensurePrivateDir(join(base, 'file'))).toThrow(PrivateDirError);
    expect(() => ensurePrivateDir(join(base, 'file', 'below'))).toThrow(/cannot be made/);
  });

  it.skipIf(!isRoot)('refuses one another user made first (a squatter in a shared /tmp)', () => {
    const dir = join(scratch(), 'squatted');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    chownSync(dir, 10002, 10002);
    expect(() => ensurePrivateDir(dir)).toThrow(/belongs to uid 10002, not to this user/);
    // Left as it was: not narrowed, not written into.
    expect(mode(dir)).toBe(0o777);
  });
});

describe('makePrivateDir', () => {
  it('makes the directory and its parents mode 0700 and leaves an existing one be', async () => {
    const base = scratch();
    const dir = join(base, 'a', 'b');
    await makePrivateDir(dir);
    expect([mode(join(base, 'a')), mode(dir)]).toEqual([PRIVATE_DIR_MODE, PRIVATE_DIR_MODE]);
    await expect(makePrivateDir(dir)).resolves.toBeUndefined();
  });
});
