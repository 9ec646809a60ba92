/**
 * The one owner of a call's timers, event subscriptions and async tasks.
 * Everything the call starts goes through here, so the end of the call can
 * stop all of it at once: timers cleared, listeners removed, tasks told to
 * stop through their AbortSignal and awaited. Nothing a call started keeps
 * running, or fires, after its end.
 */

/**
 * Something with `on`/`off` (LiveKit's Room, the AgentSession, a test fake).
 * Method syntax on purpose: a typed emitter's per-event listener checks against it.
 */
export interface Emitter<E, L> {
  on(event: E, listener: L): unknown;
  off(event: E, listener: L): unknown;
}

/** What a task reports when it throws (the call's logger). */
export type TaskFailureLog = (fields: { task: string; error: string }, msg: string) => void;

export class CallTasks {
  readonly #abort = new AbortController();
  readonly #cleanups: (() => void)[] = [];
  readonly #running = new Set<Promise<unknown>>();
  readonly #onFailure: TaskFailureLog;

  /** @param onFailure told when a task throws (tasks never throw into the call). */
  constructor(onFailure: TaskFailureLog = () => undefined) {
    this.#onFailure = onFailure;
  }

  /** Aborted when the call ends: pass it to anything that can be cancelled. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** True once {@link dispose} has begun: nothing new starts. */
  get disposed(): boolean {
    return this.#abort.signal.aborted;
  }

  /**
   * Subscribes `listener` until the call ends.
   *
   * @example
   * tasks.on(ctx.room, RoomEvent.DtmfReceived, (code, digit, from) => onKey(digit, from));
   */
  on<E, L>(emitter: NoInfer<Emitter<E, L>>, event: E, listener: L): void {
    if (this.disposed) return;
    emitter.on(event, listener);
    this.#cleanups.push(() => void emitter.off(event, listener));
  }

  /** Runs `fn` after `ms` unless the call ends first; returns a function that cancels it sooner. */
  timeout(ms: number, fn: () => void): () => void {
    if (this.disposed) return () => undefined;
    const timer = setTimeout(fn, ms);
    timer.unref();
    const cancel = () => clearTimeout(timer);
    this.#cleanups.push(cancel);
    return cancel;
  }

  /** Runs `fn` every `ms` until the call ends; returns a function that stops it sooner. */
  interval(ms: number, fn: () => void): () => void {
    if (this.disposed) return () => undefined;
    const timer = setInterval(fn, ms);
    timer.unref();
    const stop = () => clearInterval(timer);
    this.#cleanups.push(stop);
    return stop;
  }

  /** Resolves true after `ms`, or false as soon as the call ends. */
  sleep(ms: number): Promise<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      timer.unref();
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fn` when the call ends (after the tasks are told to stop). */
  defer(fn: () => void): void {
    if (this.disposed) fn();
    else this.#cleanups.push(fn);
  }

  /**
   * Starts an async task the call owns. It gets the call's signal; a throw is
   * logged, never propagated; the end of the call waits for it to settle.
   * Resolves with its result, or undefined when it threw or the call had ended.
   *
   * @example
   * tasks.run('dtmf-zero', () => transfers.handOff({ queue, reason: 'dtmf_zero', announce: 'none' }));
   */
  run<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    if (this.disposed) return Promise.resolve(undefined);
    const task = (async () => {
      try {
        return await fn(this.#abort.signal);
      } catch (err) {
        this.#onFailure(
          { task: name, error: err instanceof Error ? err.message : String(err) },
          'call task failed',
        );
        return undefined;
      }
    })();
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
    return task;
  }

  /** Tasks still running (for the end of the call to wait on). */
  get pending(): number {
    return this.#running.size;
  }

  /**
   * Ends everything the call owns: aborts the signal, removes every listener,
   * clears every timer, runs deferred cleanups (newest first), then waits for
   * the running tasks to settle, at most `graceMs` (a task stuck on a closed
   * session must not keep the job alive; it is reported). Safe to call twice.
   */
  async dispose(graceMs = 5000): Promise<void> {
    if (!this.disposed) {
      this.#abort.abort(new Error('the call ended'));
      for (const cleanup of this.#cleanups.splice(0).reverse()) {
        try {
          cleanup();
        } catch {
          // A cleanup of something already gone has nothing left to do.
        }
      }
    }
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.allSettled([...this.#running]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (!settled)
      this.#onFailure(
        { task: `${this.#running.size} still running`, error: 'did not stop in time' },
        'call tasks left running at the end of the call',
      );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
