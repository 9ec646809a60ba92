import type { Clock } from './collector.ts';

/**
 * A deterministic {@link Clock} for tests: timers fire only when the test
 * calls `advance(ms)`, in due order. Test scaffolding for the injected clock.
 *
 * @example
 * const clock = new ManualClock();
 * const collector = createDigitCollector(spec, clock);
 * clock.advance(spec.overallTimeoutMs); // settles with { status: 'timeout', kind: 'overall' }
 */
export class ManualClock implements Clock<number> {
  now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (id: number): void => {
    this.timers.delete(id);
  };

  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}
