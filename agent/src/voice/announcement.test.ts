import { AudioFrame, type Room } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { playAnnouncement } from './announcement.ts';

const RATE = 8000;
/** 100 ms of a tone in five 20 ms frames. */
const frames = Array.from({ length: 5 }, () => {
  const samples = new Int16Array(RATE / 50).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
  return new AudioFrame(samples, RATE, 1, samples.length);
});

/** A local participant whose bridge subscribes to the announcement after `subscribeAfterMs` (never if undefined). */
function participant(subscribeAfterMs: number | undefined) {
  const events: string[] = [];
  const started = Date.now();
  const at = () => `${Date.now() - started}`;
  const fake = {
    publishTrack: () => {
      events.push('published');
      return Promise.resolve({
        sid: 'TR_apology',
        waitForSubscription: () =>
          new Promise<void>((resolve) => {
            if (subscribeAfterMs !== undefined)
              setTimeout(() => {
                events.push('subscribed');
                resolve();
              }, subscribeAfterMs);
          }),
      });
    },
    unpublishTrack: (sid: string) => {
      events.push(`unpublished ${sid} at ${at()}`);
      return Promise.resolve();
    },
  };
  return { room: { localParticipant: fake } as unknown as Pick<Room, 'localParticipant'>, events };
}

describe('playAnnouncement', () => {
  it('plays only once the bridge has subscribed, so the caller hears all of it', async () => {
    const { room, events } = participant(400);
    const started = Date.now();
    await playAnnouncement(room, frames, 'apology');
    // 400 ms for the subscription, then the 100 ms announcement.
    expect(Date.now() - started).toBeGreaterThanOrEqual(480);
    expect(events.slice(0, 2)).toEqual(['published', 'subscribed']);
    expect(events[2]).toMatch(/^unpublished TR_apology/);
  });

  it('plays after the subscription wait when the bridge never subscribes, and unpublishes', async () => {
    const { room, events } = participant(undefined);
    const started = Date.now();
    await playAnnouncement(room, frames, 'apology', { subscribeWaitMs: 200 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(2000);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(/^unpublished TR_apology/);
  });

  it('does not wait when the track is subscribed at once', async () => {
    const { room } = participant(0);
    const started = Date.now();
    await playAnnouncement(room, frames, 'apology');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
