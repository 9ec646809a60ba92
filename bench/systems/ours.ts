/**
 * Our worker as the benchmark runs it: the product as shipped, with the
 * admission limits lifted (the benchmark measures how a worker copes with N
 * callers, not where its configured ceiling is), or with the framework's own
 * turn-taking defaults instead of our telephony tuning, or with its
 * admission as shipped (the calls it takes on one CPU of its own, the 3 s
 * ring timeout).
 */
import { availableParallelism } from 'node:os';
import { CPU_LOAD_LIMIT, defaultMaxCalls, defaultWarmProcesses } from '../../agent/src/capacity.ts';
import { admissionCalls, type SystemName } from '../plan.ts';

/**
 * The agents-js 1.9.0 defaults our telephony tuning replaces
 * (agent/src/voice/providers/settings.ts `TELEPHONY_TURN_DEFAULTS`):
 * endpointing 500-3000 ms, interruption after 500 ms of speech, Silero's
 * 550 ms end-of-speech silence, preemptive generation on, Deepgram's 25 ms.
 */
export const FRAMEWORK_TURN_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  ENDPOINTING_MS: '25',
  MIN_ENDPOINTING_DELAY_MS: '500',
  MAX_ENDPOINTING_DELAY_MS: '3000',
  VAD_MIN_SILENCE_MS: '550',
  MIN_INTERRUPTION_DURATION_MS: '500',
  PREEMPTIVE_GENERATION: 'true',
});

/**
 * Environment for our worker in the benchmark.
 *
 * @example
 * ourWorkerEnv('ours-defaults', { VOICE_MODE: 'offline' }).MIN_ENDPOINTING_DELAY_MS; // '500'
 */
export function ourWorkerEnv(
  system: Exclude<SystemName, 'peer'>,
  voiceEnv: Readonly<Record<string, string>>,
  where: Readonly<{ cpuGuard: boolean }> = { cpuGuard: false },
): Record<string, string> {
  // The shipped admission: the worker's default call limit and warm pool on
  // the CPUs it runs alone on (set here: it starts before it is pinned), and
  // its CPU guard where it has a CPU limit of its own to read (resources/cgroup.ts).
  if (system === 'ours-admission' || system === 'ours-admission-queue') {
    const calls = admissionCalls();
    return {
      ...voiceEnv,
      AGENT_MAX_CALLS: String(calls),
      AGENT_WARM_PROCESSES: String(defaultWarmProcesses(calls)),
      AGENT_CPU_LOAD_LIMIT: where.cpuGuard ? String(CPU_LOAD_LIMIT) : '0',
    };
  }
  return {
    ...voiceEnv,
    // No admission ceiling: every caller offered reaches the worker.
    AGENT_MAX_CALLS: '1000',
    AGENT_CPU_LOAD_LIMIT: '0',
    ...warmPool(),
    ...(system === 'ours-defaults' ? FRAMEWORK_TURN_DEFAULTS : {}),
  };
}

/** The warm pool a worker on this machine keeps by default, not the test stacks' smaller one. */
function warmPool(): Record<string, string> {
  return {
    AGENT_WARM_PROCESSES: String(defaultWarmProcesses(defaultMaxCalls(availableParallelism()))),
  };
}
