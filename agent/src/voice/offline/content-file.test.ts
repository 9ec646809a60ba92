import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentFile, DEFAULT_CONTENT_FILE_DIR } from './content-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'content-file-test-'));
  dirs.push(d);
  return d;
}

describe('contentFile', () => {
  it("writes into the directory given, made the user's own (0700), the file 0600", async () => {
    const dir = join(scratch(), 'pocketsphinx');
    const path = await contentFile('#JSGF V1.0;', 'gram', dir);
    expect(path.startsWith(`${dir}/`)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('#JSGF V1.0;');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('maps the same content to the same file, however many write it at once', async () => {
    const dir = scratch();
    const paths = await Promise.all(Array.from({ length: 8 }, () => contentFile('x', 'gram', dir)));
    expect(new Set(paths).size).toBe(1);
    expect(await contentFile('y', 'gram', dir)).not.toBe(paths[0]);
  });

  it("defaults to the user's own directory under the OS temporary directory", () => {
    expect(DEFAULT_CONTENT_FILE_DIR).toBe(
      join(tmpdir(), `genesys-voice-agent-${process.getuid?.()}`, 'pocketsphinx'),
    );
  });
});
