import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /** A worker holding 2 s, with `running` jobs until `free()`; `gone` rooms have no caller. */
    function fullWorker(
      maxCalls: number,
      running: readonly string[],
      extra: Partial<Parameters<typeof createJobAdmission>[0]> = {},
    ) {
      const { answers, req } = requests();
      const refused: string[] = [];
      let jobs = running;
      const admission = createJobAdmission({
        maxCalls,
        holdMs: 2000,
        running: () => jobs,
        refused: (id, why, calls, waitedMs) => refused.push(`${id}:${why}:${calls}:${waitedMs}`),
        ...extra,
      });
      return { answers, req, refused, admission, free: () => (jobs = []) };
    }

    it('accepts a held request as soon as a call ends within the hold', async () => {
      const { answers, req, admission, free } = fullWorker(1, ['AJ_1']);
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(1000);
      expect(answers, 'still held while the call runs').toEqual([]);
      free();
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await held;
      expect(answers).toEqual(['accept AJ_2']);
      expect(admission.calls()).toBe(1);
    });

    it('refuses a held request when no place frees within the hold, and says how long it waited', async () => {
      const { answers, req, refused, admission } = fullWorker(1, ['AJ_1']);
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(1900);
      expect(answers).toEqual([]);
      await vi.advanceTimersByTimeAsync(200);
      await held;
      expect(answers).toEqual(['reject AJ_2']);
      expect(refused).toEqual(['AJ_2:full:1:2000']);
    });

    it('holds a request while the CPU guard reads its limit, with places to spare, and takes it once the CPU falls', async () => {
      let busy = true;
      const { answers, req, refused, admission } = fullWorker(5, [], { cpuFull: () => busy });
      const first = admission.request(req('AJ_1'));
      await vi.advanceTimersByTimeAsync(2100);
      await first;
      expect(answers).toEqual(['reject AJ_1']);
      expect(refused).toEqual(['AJ_1:full:0:2000']);
      const second = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(500);
      busy = false;
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await second;
      expect(answers).toEqual(['reject AJ_1', 'accept AJ_2']);
    });

    it('gives a freed place to the oldest held request, and a newcomer waits behind it', async () => {
      const { answers, req, admission, free } = fullWorker(1, ['AJ_1']);
      const first = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(300);
      const second = admission.request(req('AJ_3'));
      await vi.advanceTimersByTimeAsync(300);
      free();
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await first;
      expect(answers, 'one place: the oldest takes it').toEqual(['accept AJ_2']);
      // AJ_2 now counts as accepted: AJ_3 waits until its own hold ends.
      await vi.advanceTimersByTimeAsync(2000);
      await second;
      expect(answers).toEqual(['accept AJ_2', 'reject AJ_3']);
    });

    it('never takes more than its capacity when several places free at once', async () => {
      const { answers, req, admission, free } = fullWorker(2, ['AJ_1', 'AJ_2']);
      const held = ['AJ_3', 'AJ_4', 'AJ_5'].map((id) => admission.request(req(id)));
      await vi.advanceTimersByTimeAsync(500);
      free();
      await vi.advanceTimersByTimeAsync(2000);
      await Promise.all(held);
      expect(answers).toEqual(['accept AJ_3', 'accept AJ_4', 'reject AJ_5']);
      expect(admission.calls()).toBe(2);
    });

    it('passes a freed place over a held caller who left to the next one still there', async () => {
      const asked: string[] = [];
      const { answers, req, refused, admission, free } = fullWorker(1, ['AJ_1'], {
        callerPresent: (room) => {
          asked.push(room);
          return Promise.resolve(room !== 'room-AJ_2');
        },
      });
      const held = ['AJ_2', 'AJ_3'].map((id) => admission.request(req(id)));
      await vi.advanceTimersByTimeAsync(500);
      free();
      await vi.advanceTimersByTimeAsync(3 * HOLD_POLL_MS);
      await Promise.all(held);
      expect(answers).toEqual(['reject AJ_2', 'accept AJ_3']);
      expect(refused).toEqual(['AJ_2:caller_left:0:600']);
      expect(asked).toEqual(['room-AJ_2', 'room-AJ_3']);
      expect(admission.calls()).toBe(1);
    });

    it('keeps the place of a held caller when the room cannot be looked at', async () => {
      const { answers, req, admission, free } = fullWorker(1, ['AJ_1'], {
        callerPresent: () => Promise.reject(new Error('livekit-server timed out')),
      });
      const held = admission.request(req('AJ_2'));
      await vi.advanceTimersByTimeAsync(500);
      free();
      await vi.advanceTimersByTimeAsync(HOLD_POLL_MS);
      await held;
      expect(answers).toEqual(['accept AJ_2']);
    });

    it('does not look at the room of a request it accepts at once', async () => {
      const asked: string[] = [];
      const { answers, req, admission } = fullWorker(1, [], {
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
