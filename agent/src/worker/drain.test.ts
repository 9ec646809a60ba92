import type { RunningJobInfo } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { drainWorker, type DrainingServer } from './drain.ts';

const quiet = { info: () => undefined, warn: () => undefined };

/** A FAKE server whose framework drain fails as agents-js 1.9's does while a warm process starts. */
function server(jobs: number) {
  const events: string[] = [];
  const running: RunningJobInfo[] = Array.from({ length: jobs }, () => ({}) as RunningJobInfo);
  const fake: DrainingServer & { end: () => void } = {
    drain: async () => {
      events.push('drain');
      throw new Error('runner not started');
    },
    close: async () => void events.push(`close with ${running.length} calls`),
    get activeJobs() {
      return running;
    },
    end: () => void running.pop(),
  };
  return { fake, events };
}

describe('drainWorker', () => {
  it('waits for every call to end although the framework drain failed, then closes', async () => {
    const { fake, events } = server(2);
    const drained = drainWorker(fake, 5000, quiet, 5);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['drain']);
    fake.end();
    fake.end();
    expect(await drained).toBe(true);
    expect(events).toEqual(['drain', 'close with 0 calls']);
  });

  it('closes at the drain timeout with the calls still up, and says so', async () => {
    const { fake, events } = server(1);
    expect(await drainWorker(fake, 30, quiet, 5)).toBe(false);
    expect(events).toEqual(['drain', 'close with 1 calls']);
  });
});
