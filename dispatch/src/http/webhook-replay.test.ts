import { describe, expect, it } from 'vitest';
import { handledEvents } from './webhook-replay.ts';

describe('handledEvents', () => {
  it('remembers an id for the window, then forgets it', () => {
    let t = 0;
    const events = handledEvents({ rememberMs: 1000, now: () => t });
    expect(events.handled('EV_1')).toBe(false);
    events.remember('EV_1');
    t = 999;
    expect(events.handled('EV_1')).toBe(true);
    t = 1000;
    expect(events.handled('EV_1')).toBe(false);
  });

  it('keeps at most maxIds, forgetting the oldest first', () => {
    const events = handledEvents({ maxIds: 2, now: () => 0 });
    for (const id of ['EV_1', 'EV_2', 'EV_3']) events.remember(id);
    expect(['EV_1', 'EV_2', 'EV_3'].map((id) => events.handled(id))).toEqual([false, true, true]);
  });
});
