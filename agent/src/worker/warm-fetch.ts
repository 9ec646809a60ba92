/**
 * Node loads its fetch implementation (undici, about a megabyte of
 * JavaScript) on a process's first `fetch`. In a job process that first
 * fetch is the call's: the LLM connection warm-up, the dispatch client or
 * a data action, right as the greeting starts, on a core other calls share.
 * Loading it in prewarm, while the process waits in the pool, takes that
 * compile off the call path (about 90 ms of CPU on the benchmark machine,
 * docs/benchmark.md).
 */

/**
 * Loads `fetch` with a request that never leaves the process (a `data:` URL).
 * Never throws: a process that could not load it loads it on the call.
 *
 * @example
 * prewarm: async (proc) => { await loadFetch(); },
 */
export async function loadFetch(): Promise<void> {
  try {
    await (await fetch('data:,')).arrayBuffer();
  } catch {
    // The call's own fetch reports whatever is wrong.
  }
}
