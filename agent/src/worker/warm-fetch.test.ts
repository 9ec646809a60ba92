import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./warm-fetch.ts', import.meta.url));
const UNDICI = 'NativeModule internal/deps/undici/undici';

/** Runs `loadFetch` in a fresh Node process (this one may have loaded fetch already). */
function inFreshProcess(): { before: boolean; after: boolean } {
  const script = `
    const { loadFetch } = await import(${JSON.stringify(MODULE)});
    const before = process.moduleLoadList.includes(${JSON.stringify(UNDICI)});
    await loadFetch();
    const after = process.moduleLoadList.includes(${JSON.stringify(UNDICI)});
    console.log(JSON.stringify({ before, after }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { before: boolean; after: boolean };
}

describe('loadFetch', () => {
  it("loads Node's fetch implementation, which a fresh process has not", () => {
    const { before, after } = inFreshProcess();
    expect(before).toBe(false);
    expect(after).toBe(true);
  });
});
