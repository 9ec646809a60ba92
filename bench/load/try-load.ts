/**
 * Runs a small load by hand and prints what each caller did: a burst of
 * callers against our agent on the offline voice (slot 9 by default), or
 * against a stack already running on that slot (`--attach`, e.g. one left up
 * by a previous `--keep`).
 *
 * scripts/with-env.sh node bench/load/try-load.ts --callers 4 --rate 2
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { stackPorts } from '../../test/harness/ports.ts';
import { startStack, type Stack } from '../../test/harness/stack.ts';
import { REPO_ROOT } from '../../test/harness/tools.ts';
import { burst } from './arrivals.ts';
import { runLoad } from './run-callers.ts';
import { benchScript } from './scripts.ts';

const args = z
  .object({
    callers: z.coerce.number().int().min(1).max(100).default(1),
    rate: z.coerce.number().positive().default(2),
    slot: z.coerce.number().int().min(1).max(9).default(9),
    script: z.enum(['offline', 'cloud']).default('offline'),
    attach: z.boolean().default(false),
    keep: z.boolean().default(false),
  })
  .parse(
    parseArgs({
      options: {
        callers: { type: 'string' },
        rate: { type: 'string' },
        slot: { type: 'string' },
        script: { type: 'string' },
        attach: { type: 'boolean' },
        keep: { type: 'boolean' },
      },
    }).values,
  );

const name = 'bench-load-dev';
const stack: Stack = args.attach
  ? {
      ports: stackPorts(args.slot),
      dispatchToken: '',
      runDir: join(REPO_ROOT, '.run', name),
      livekit: { wsUrl: '', httpUrl: '', apiKey: '', apiSecret: '' },
      processes: new Map(),
      restart: () => Promise.reject(new Error('an attached stack is not ours to restart')),
      stop: async () => undefined,
    }
  : await startStack({
      slot: args.slot,
      name,
      routingFile: join(REPO_ROOT, 'bench/routing.yaml'),
    });
try {
  const workDir = join(stack.runDir, `load-${args.callers}`);
  const started = Date.now();
  const artifacts = await runLoad({
    stack,
    arrivals: burst(args.callers, args.rate),
    script: benchScript(args.script),
    workDir,
    onProgress: (p) =>
      console.log(
        `  ${p.started}/${p.total} rang, ${p.answered} answered, ${p.talking} talking, ${p.ended} ended`,
      ),
  });
  console.log(
    `wall time ${((Date.now() - started) / 1000).toFixed(1)} s; ${workDir}/artifacts.json`,
  );
  for (const c of artifacts.callers) {
    console.log(
      `${c.id} end=${c.end} sipp=${c.sippExitCode} utterances=${c.utterances.length}` +
        ` bargeIns=${c.utterances.filter((u) => u.bargeIn).length} digits=${c.digits.map((d) => d.digit).join('')}` +
        ` lag=${c.media?.maxSendLagMs}ms skipped=${c.media?.skippedPackets}`,
    );
    for (const f of c.failures) console.log(`  failure: ${f}`);
    for (const n of c.notes ?? []) console.log(`  note: ${n}`);
  }
} finally {
  if (!args.keep) await stack.stop();
}
