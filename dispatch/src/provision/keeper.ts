/**
 * Keeps LiveKit's SIP configuration (trunks, dispatch rules) equal to the
 * routing file for as long as dispatch runs: first until provisioning
 * succeeds (LiveKit may start after dispatch), then every `everyMs`.
 * LiveKit stores the configuration in Redis; a Redis restarted without its
 * data loses it, and livekit-sip then drops every call unanswered (no trunk
 * admits it). The periodic check puts it back within one period. Each check
 * is one plan (two list calls) and, only on drift, the changes.
 */

export type ProvisionOutcome = 'applied' | 'unchanged';

export type KeeperDeps = Readonly<{
  /** Plans and applies the routing file; rejects when LiveKit cannot be reached. */
  provision: () => Promise<ProvisionOutcome>;
  /** Ms between checks once provisioned; 0: provision once, then stop. */
  everyMs: number;
  /** Each attempt's result, for metrics. */
  onResult: (result: ProvisionOutcome | 'failed') => void;
  /** Each success: LiveKit matches the routing file. */
  onProvisioned: () => void;
  onFailure: (error: string, retryInMs: number) => void;
  /** A check after the first found LiveKit changed and repaired it. */
  onRepaired: () => void;
  /** Default setTimeout. */
  setTimer?: (fn: () => void, ms: number) => { unref?: () => void };
}>;

/** Backoff of the first provisioning while LiveKit is not yet reachable. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/**
 * Starts keeping LiveKit provisioned; the returned function stops it (a
 * check in flight finishes; no new one starts).
 *
 * @example
 * const stop = keepProvisioned({ provision: () => provision(false), everyMs: 10_000, onResult, onProvisioned, onFailure, onRepaired });
 */
export function keepProvisioned(deps: KeeperDeps): () => void {
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  let stopped = false;
  let provisioned = false;
  let delay = FIRST_DELAY_MS;

  const schedule = (ms: number) => {
    if (stopped) return;
    setTimer(() => void attempt(), ms).unref?.();
  };

  const attempt = async () => {
    if (stopped) return;
    let outcome: ProvisionOutcome;
    try {
      outcome = await deps.provision();
    } catch (err) {
      deps.onResult('failed');
      const retryInMs = provisioned ? deps.everyMs : delay;
      deps.onFailure(err instanceof Error ? err.message : String(err), retryInMs);
      if (!provisioned) delay = Math.min(delay * 2, MAX_DELAY_MS);
      if (!provisioned || deps.everyMs > 0) schedule(retryInMs);
      return;
    }
    deps.onResult(outcome);
    const first = !provisioned;
    provisioned = true;
    delay = FIRST_DELAY_MS;
    deps.onProvisioned();
    if (!first && outcome === 'applied') deps.onRepaired();
    if (deps.everyMs > 0) schedule(deps.everyMs);
  };

  void attempt();
  return () => {
    stopped = true;
  };
}
