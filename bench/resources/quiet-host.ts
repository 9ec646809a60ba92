/**
 * Waiting for the machine to go quiet before a load: a worker whose job
 * pool is still starting processes would charge that work to the load.
 */
import { cpus } from 'node:os';
import { sleep } from '../../test/harness/process.ts';

/** Host CPU use (0-1) below which the machine counts as quiet. */
const QUIET_CPU = 0.25;

/**
 * Until the machine's CPU is mostly idle for two seconds running, at most
 * 120 s (then it returns anyway: a busy shared machine still gets its run).
 *
 * @example
 * await startStack(opts);
 * await waitForQuietHost(); // the warm job processes have started
 */
export async function waitForQuietHost(): Promise<void> {
  const busy = () => {
    let idle = 0;
    let total = 0;
    for (const { times } of cpus()) {
      idle += times.idle;
      total += times.user + times.nice + times.sys + times.irq + times.idle;
    }
    return { idle, total };
  };
  const deadline = Date.now() + 120_000;
  let quiet = 0;
  let last = busy();
  while (quiet < 2 && Date.now() < deadline) {
    await sleep(1000);
    const now = busy();
    const use = 1 - (now.idle - last.idle) / Math.max(1, now.total - last.total);
    last = now;
    quiet = use < QUIET_CPU ? quiet + 1 : 0;
  }
}
