import { describe, expect, it } from 'vitest';
import { sessionEnd } from './session-end.ts';
import { CallTasks } from './tasks.ts';
import { FakeRoom, FakeSession } from './testing/fakes.ts';
import type { CallSession } from './ports.ts';

function watch(deadlineMs = 50) {
  const room = new FakeRoom();
  const session = new FakeSession();
  const tasks = new CallTasks();
  const errors: string[] = [];
  const log = {
    info: () => {},
    warn: () => {},
    error: (_f: object, msg: string) => void errors.push(msg),
  };
  const ended = sessionEnd({
    session: session as unknown as CallSession,
    room,
    callerIdentity: 'sip_caller',
    tasks,
    log,
    deadlineMs,
  });
  return { room, session, tasks, errors, ended };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

describe('sessionEnd', () => {
  it('is the session closing, as it says', async () => {
    const w = watch();
    w.room.leave('sip_caller');
    w.session.close();
    expect(await w.ended).toEqual({ reason: 'participant_disconnected', error: null });
    expect(w.errors).toEqual([]);
    await w.tasks.dispose();
  });

  it('ends the call anyway when the session has not closed by the deadline after the caller left', async () => {
    const w = watch(50);
    w.room.leave('sip_caller');
    expect(await w.ended).toEqual({ reason: 'stuck', error: null });
    expect(w.errors).toEqual([
      'voice session did not close after the caller left; ending the call without it',
    ]);
    await w.tasks.dispose();
  });

  it('waits for as long as the caller is on the line, and for others leaving', async () => {
    const w = watch(20);
    w.room.leave('human_agent');
    expect(await within(w.ended, 100)).toBe('pending');
    await w.tasks.dispose();
  });
});
