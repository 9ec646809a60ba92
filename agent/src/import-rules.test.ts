/**
 * The import structure of the two services, checked on every unit run: no
 * import cycles; contracts/ is a leaf both services stand on; neither service
 * imports the other; inside the agent, modules import only along the call's
 * flow (a call composes personas, voice, transfers and the policy; none of
 * them reaches back up into call/); source files stay short; and the test
 * harness never imports the benchmark built on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(import.meta.dirname, '..', '..'));
const TREES = ['agent/src', 'contracts', 'dispatch/src'];

/**
 * The agent's layers, lowest first: a module may import its own layer's
 * modules and any lower layer's, never a higher one's. A path names a
 * directory (everything under it) or one file.
 */
const AGENT_LAYERS: readonly (readonly string[])[] = [
  [
    'agent/src/language',
    'agent/src/observability',
    'agent/src/dtmf',
    'agent/src/capacity.ts',
    'agent/src/dispatch-client.ts',
    'agent/src/dispatch-spool.ts',
    'agent/src/worker',
  ],
  ['agent/src/policy', 'agent/src/transfer'],
  ['agent/src/personas'],
  ['agent/src/voice', 'agent/src/config.ts'],
  // The persona test kit runs personas on the offline voice.
  ['agent/src/personas/testing'],
  ['agent/src/call'],
  ['agent/src/agent.ts', 'agent/src/main.ts'],
];

function sourceFiles(): string[] {
  return TREES.flatMap((tree) =>
    readdirSync(join(ROOT, tree), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(tree, f)),
  );
}

/** Relative imports of a file (static, re-exports, side-effect and dynamic), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s(?:[^;'"]*?\sfrom\s)?\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, join(ROOT, dirname(file), s)));
}

/** The index of the most specific layer entry that covers `file`, or undefined. */
function layerOf(file: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  AGENT_LAYERS.forEach((entries, layer) => {
    for (const entry of entries) {
      const covers = file === entry || file.startsWith(`${entry}/`);
      if (covers && (!best || entry.length > best.length)) best = { layer, length: entry.length };
    }
  });
  return best?.layer;
}

const isTest = (file: string) => file.endsWith('.test.ts');

/** The most lines a source file (tests aside) may have before it is split by concern. */
const MAX_LINES = 320;
/** Files still past {@link MAX_LINES}, each to be split; the list may only shrink. */
const NOT_YET_SPLIT: ReadonlySet<string> = new Set<string>([]);
const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('import rules', () => {
  it('finds the sources and their imports', () => {
    expect(files).toContain('agent/src/call/answer.ts');
    expect(graph.get('agent/src/agent.ts')).toContain('agent/src/call/answer.ts');
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('keeps contracts/ a leaf and the two services apart', () => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const bad =
          (file.startsWith('contracts/') && !target.startsWith('contracts/')) ||
          (file.startsWith('agent/') && target.startsWith('dispatch/')) ||
          (file.startsWith('dispatch/') && target.startsWith('agent/'));
        if (bad) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the test harness and fakes below the benchmark (bench/ stands on them, never the reverse)', () => {
    const below = ['test/harness', 'test/fakes'].flatMap((tree) =>
      readdirSync(join(ROOT, tree), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(tree, f)),
    );
    expect(below.length).toBeGreaterThan(0);
    const wrong = below.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('bench/'))
        .map((target) => `${file} → ${target}`),
    );
    expect(wrong).toEqual([]);
  });

  it('imports inside the agent only along the call flow (nothing reaches up into call/)', () => {
    const upward: string[] = [];
    const unplaced: string[] = [];
    for (const [file, imports] of graph) {
      if (!file.startsWith('agent/src/') || isTest(file)) continue;
      const from = layerOf(file);
      if (from === undefined) {
        unplaced.push(file);
        continue;
      }
      for (const target of imports) {
        const to = target.startsWith('agent/src/') ? layerOf(target) : undefined;
        if (to !== undefined && to > from) upward.push(`${file} → ${target}`);
      }
    }
    expect(unplaced).toEqual([]);
    expect(upward).toEqual([]);
  });

  it(`keeps source files under ${MAX_LINES} lines`, () => {
    const long = files.filter(
      (f) => !isTest(f) && readFileSync(join(ROOT, f), 'utf8').split('\n').length > MAX_LINES,
    );
    expect(long.filter((f) => !NOT_YET_SPLIT.has(f))).toEqual([]);
    // A file that got short enough leaves the list.
    expect([...NOT_YET_SPLIT].filter((f) => !long.includes(f))).toEqual([]);
  });

  it('keeps voice/ and personas/ (tests included) out of call/', () => {
    const wrong = [...graph].flatMap(([file, imports]) =>
      /^agent\/src\/(voice|personas)\//.test(file)
        ? imports.filter((t) => t.startsWith('agent/src/call/')).map((t) => `${file} → ${t}`)
        : [],
    );
    expect(wrong).toEqual([]);
  });
});
