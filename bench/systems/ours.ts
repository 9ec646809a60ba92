/**
 * Our worker as the benchmark runs it: the product as shipped, with the
 * admission limits lifted (the benchmark measures how a worker copes with N
 * callers, not where its configured ceiling is), or with the framework's own
 * turn-taking defaults instead of our telephony tuning.
 */
import { availableParallelism } from 'node:os';
import { defaultMaxCalls, defaultWarmProcesses } from '../../agent/src/capacity.ts';
import type { SystemName } from '../plan.ts';

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
  system: Extract<SystemName, 'ours' | 'ours-defaults'>,
  voiceEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    ...voiceEnv,
    // No admission ceiling: every caller offered reaches the worker.
    AGENT_MAX_CALLS: '1000',
    AGENT_CPU_LOAD_LIMIT: '0',
    // The warm pool a worker on this machine keeps by default, not the test stacks' smaller one.
    AGENT_WARM_PROCESSES: String(defaultWarmProcesses(defaultMaxCalls(availableParallelism()))),
    ...(system === 'ours-defaults' ? FRAMEWORK_TURN_DEFAULTS : {}),
  };
}
