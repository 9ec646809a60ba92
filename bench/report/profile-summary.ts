/**
 * Where a job process's JavaScript-thread time goes, from the V8 CPU
 * profiles `make bench PROFILE=1` leaves: self time summed over every
 * profile in a directory, by who owns the code (the agents framework, the
 * rtc-node FFI binding, the plugins, Node itself, this product). Run with
 * `AGENT_JOB_BUNDLE=off` (BENCH_AGENT_ENV) so code is attributed to its
 * package rather than to the one bundle file.
 *
 *   node bench/report/profile-summary.ts .run/bench/<run>/profiles/ours-cloud-zero [--whole]
 *
 * Counted from the first sample in the call's code (agent/src/call/), so a
 * process's start and the warm idle ones are left out; `--whole` counts
 * every process's whole life.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const profileFile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Owners, first match wins; `url` is the script's, `fn` the function's name. */
const OWNERS: readonly (readonly [string, (url: string, fn: string) => boolean])[] = [
  ['idle', (url, fn) => url === '' && fn === '(idle)'],
  ['garbage collector', (url, fn) => url === '' && fn === '(garbage collector)'],
  ['native / V8 (program)', (url, fn) => url === '' && fn === '(program)'],
  [
    'this product (agent/src, contracts)',
    (url) => /\/(agent\/src|contracts)\//.test(url) && !url.includes('node_modules'),
  ],
  ['@livekit/agents (framework)', (url) => url.includes('node_modules/@livekit/agents/')],
  ['@livekit/rtc-node (FFI binding)', (url) => url.includes('node_modules/@livekit/rtc-node/')],
  ['@livekit/agents-plugin-*', (url) => url.includes('node_modules/@livekit/agents-plugin-')],
  ['protobuf (@bufbuild)', (url) => url.includes('node_modules/@bufbuild/')],
  ['onnxruntime', (url) => url.includes('onnxruntime')],
  ['other dependencies', (url) => url.includes('node_modules/')],
  ['Node.js internals', (url) => url.startsWith('node:')],
  ['other', () => true],
];

export type OwnerTime = Readonly<{ owner: string; ms: number }>;

/**
 * Self time by owner over the given profiles, most first.
 *
 * @example
 * summarizeProfiles([JSON.parse(readFileSync(f, 'utf8'))]);
 */
export function summarizeProfiles(
  profiles: readonly unknown[],
  opts: Readonly<{ fromUrl?: RegExp }> = {},
): OwnerTime[] {
  const totals = new Map<string, number>();
  for (const raw of profiles) {
    const p = profileFile.parse(raw);
    const ownerOf = new Map<number, string>();
    const parentOf = new Map<number, number>();
    const urlOf = new Map<number, string>();
    for (const n of p.nodes) {
      const owner = OWNERS.find(([, test]) => test(n.callFrame.url, n.callFrame.functionName));
      ownerOf.set(n.id, owner?.[0] ?? 'other');
      urlOf.set(n.id, n.callFrame.url);
      for (const child of n.children ?? []) parentOf.set(child, n.id);
    }
    const inside = (id: number): boolean => {
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at))
        if (opts.fromUrl?.test(urlOf.get(at) ?? '')) return true;
      return false;
    };
    // With fromUrl, counting starts at the first sample whose stack runs that code.
    const first = opts.fromUrl ? p.samples.findIndex(inside) : 0;
    if (first < 0) continue;
    // timeDeltas[i] is the time before sample i: it belongs to the sample before it.
    for (let i = first; i < p.samples.length; i++) {
      const owner = ownerOf.get(p.samples[i] ?? -1) ?? 'other';
      const us = p.timeDeltas[i + 1] ?? 0;
      totals.set(owner, (totals.get(owner) ?? 0) + us / 1000);
    }
  }
  return [...totals.entries()].map(([owner, ms]) => ({ owner, ms })).sort((a, b) => b.ms - a.ms);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/report/profile-summary.ts <profiles directory>');
    process.exit(2);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) {
    console.error(`no .cpuprofile in ${dir}`);
    process.exit(1);
  }
  // The worker's main process profiles itself too; only the job processes are summed.
  const jobs = files
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown)
    .filter((p) => !JSON.stringify(p).includes('agent/src/main.ts'));
  // By default from the call's start: a job process's own start is measured apart (job start CPU).
  const whole = process.argv.includes('--whole');
  const rows = summarizeProfiles(jobs, whole ? {} : { fromUrl: /\/agent\/src\/call\// });
  const busy = rows.filter((r) => r.owner !== 'idle').reduce((t, r) => t + r.ms, 0);
  console.log(
    `${jobs.length} job process profiles, ${(busy / 1000).toFixed(1)} s of JavaScript-thread time (idle left out)`,
  );
  for (const r of rows.filter((r) => r.owner !== 'idle'))
    console.log(
      `${((100 * r.ms) / busy).toFixed(1).padStart(5)}%  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.owner}`,
    );
}
