import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACCEPTED_COUNT_MS, createJobAdmission, HOLD_POLL_MS } from './admission.ts';

function requests() {
  const answers: string[] = [];
  const req = (id: string, room = `room-${id}`) => ({
    id,
    room: { name: room },
    accept: () => {
      answers.push(`accept ${id}`);
      return Promise.resolve();
    },
    reject: () => {
      answers.push(`reject ${id}`);
      return Promise.resolve();
    },
  });
  return { answers, req };
}

describe('createJobAdmission', () => {
  it('with no hold, refuses the request past capacity at once, though no job runs yet (a burst between load reports)', async () => {
    const { answers, req } = requests();
    const refused: string[] = [];
    const admission = createJobAdmission({
      maxCalls: 2,
      holdMs: 0,
      running: () => [],
      refused: (id, why, calls) => refused.push(`${id}:${why}:${calls}`),
    });
    for (const id of ['AJ_1', 'AJ_2', 'AJ_3']) await admission.request(req(id));
    expect(answers).toEqual(['accept AJ_1', 'accept AJ_2', 'reject AJ_3']);
    expect(refused).toEqual(['AJ_3:full:2']);
    expect(admission.calls()).toBe(2);
  });

  it('counts a job once, accepted and then running, and frees its place when it ends', async () => {
    const { answers, req } = requests();
    let running: string[] = [];
    const admission = createJobAdmission({ maxCalls: 2, holdMs: 0, running: () => running });
    await admission.request(req('AJ_1'));
    running = ['AJ_1'];
    expect(admission.calls()).toBe(1);
    await admission.request(req('AJ_2'));
    running = ['AJ_1', 'AJ_2'];
    await admission.request(req('AJ_3'));
    running = ['AJ_2'];
    await admission.request(req('AJ_4'));
    expect(answers).toEqual(['accept AJ_1', 'accept AJ_2', 'reject AJ_3', 'accept AJ_4']);
  });

  it('stops counting an accepted job that never ran (a failed launch) after a while', async () => {
    const { answers, req } = requests();
    let t = 0;
    const admission = createJobAdmission({
      maxCalls: 1,
      holdMs: 0,
      running: () => [],
      now: () => t,
    });
    await admission.request(req('AJ_1'));
    t = ACCEPTED_COUNT_MS - 1;
    await admission.request(req('AJ_2'));
    t = ACCEPTED_COUNT_MS + 1;
    await admission.request(req('AJ_3'));
    expect(answers).toEqual(['accept AJ_1', 'reject AJ_2', 'accept AJ_3']);
  });

  it('counts running jobs it did not accept itself', async () => {
    const { answers, req } = requests();
    const admission = createJobAdmission({
      maxCalls: 2,
      holdMs: 0,
      running: () => ['AJ_old1', 'AJ_old2'],
    });
    await admission.request(req('AJ_1'));
    expect(answers).toEqual(['reject AJ_1']);
  });

  describe('holding a request past capacity', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('accepts a held request as soon as a call ends within the hold', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      let running = ['AJ_1'];
      const admission = createJobAdmission({ maxCalls: 1, holdMs: 2000, running: () => running });
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(1000);
      expect(answers, 'still held while the call runs').toEqual([]);
      expect(admission.held()).toBe(1);
      running = [];
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await held;
      expect(answers).toEqual(['accept AJ_2']);
      expect(admission.calls()).toBe(1);
      expect(admission.held()).toBe(0);
    });

    it('refuses a held request when no place frees within the hold, and says how long it waited', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      const refused: string[] = [];
      const admission = createJobAdmission({
        maxCalls: 1,
        holdMs: 2000,
        running: () => ['AJ_1'],
        refused: (id, why, calls, waitedMs) => refused.push(`${id}:${why}:${calls}:${waitedMs}`),
      });
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(1900);
      expect(answers).toEqual([]);
      await vi.advanceTimersByTimeAsync(200);
      await held;
      expect(answers).toEqual(['reject AJ_2']);
      expect(refused).toEqual(['AJ_2:full:1:2000']);
      expect(admission.held()).toBe(0);
    });

    it('gives a freed place to the oldest held request, and a newcomer waits behind it', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      let running = ['AJ_1'];
      const admission = createJobAdmission({ maxCalls: 1, holdMs: 2000, running: () => running });
      const first = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(300);
      const second = admission.request(req('AJ_3'));
      await vi.advanceTimersByTimeAsync(300);
      running = [];
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await first;
      expect(answers, 'one place: the oldest takes it').toEqual(['accept AJ_2']);
      // AJ_2 now counts as accepted: AJ_3 waits until its own hold ends.
      await vi.advanceTimersByTimeAsync(2000);
      await second;
      expect(answers).toEqual(['accept AJ_2', 'reject AJ_3']);
    });

    it('never takes more than its capacity when several places free at once', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      let running = ['AJ_1', 'AJ_2'];
      const admission = createJobAdmission({ maxCalls: 2, holdMs: 2000, running: () => running });
      const held = ['AJ_3', 'AJ_4', 'AJ_5'].map((id) => admission.request(req(id)));
      await vi.advanceTimersByTimeAsync(500);
      running = [];
      await vi.advanceTimersByTimeAsync(2000);
      await Promise.all(held);
      expect(answers).toEqual(['accept AJ_3', 'accept AJ_4', 'reject AJ_5']);
      expect(admission.calls()).toBe(2);
    });

    it('passes a freed place over a held caller who left to the next one still there', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      const refused: string[] = [];
      let running = ['AJ_1'];
      const gone = new Set(['room-AJ_2']);
      const asked: string[] = [];
      const admission = createJobAdmission({
        maxCalls: 1,
        holdMs: 2000,
        running: () => running,
        callerPresent: (room) => {
          asked.push(room);
          return Promise.resolve(!gone.has(room));
        },
        refused: (id, why) => refused.push(`${id}:${why}`),
      });
      const held = ['AJ_2', 'AJ_3'].map((id) => admission.request(req(id)));
      await vi.advanceTimersByTimeAsync(500);
      running = [];
      await vi.advanceTimersByTimeAsync(3 * HOLD_POLL_MS);
      await Promise.all(held);
      expect(answers).toEqual(['reject AJ_2', 'accept AJ_3']);
      expect(refused).toEqual(['AJ_2:caller_left']);
      expect(asked).toEqual(['room-AJ_2', 'room-AJ_3']);
      expect(admission.calls()).toBe(1);
    });

    it('keeps the place of a held caller when the room cannot be looked at', async () => {
      vi.useFakeTimers();
      const { answers, req } = requests();
      let running = ['AJ_1'];
      const admission = createJobAdmission({
        maxCalls: 1,
        holdMs: 2000,
        running: () => running,
        callerPresent: () => Promise.reject(new Error('livekit-server timed out')),
      });
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(500);
      running = [];
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await held;
      expect(answers).toEqual(['accept AJ_2']);
    });

    it('does not look at the room of a request it accepts at once', async () => {
      const { answers, req } = requests();
      const asked: string[] = [];
      const admission = createJobAdmission({
        maxCalls: 1,
        holdMs: 2000,
        running: () => [],
        callerPresent: (room) => {
          asked.push(room);
          return Promise.resolve(false);
        },
      });
      await admission.request(req('AJ_1'));
      expect(answers).toEqual(['accept AJ_1']);
      expect(asked).toEqual([]);
    });
  });
});
