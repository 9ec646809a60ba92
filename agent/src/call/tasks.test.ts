import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CallTasks } from './tasks.ts';

describe('CallTasks', () => {
  it('removes listeners, clears timers and stops tasks when the call ends', async () => {
    const failures: string[] = [];
    const tasks = new CallTasks((f) => void failures.push(f.task));
    const room = new EventEmitter();
    const heard: string[] = [];
    tasks.on(room, 'dtmf', (digit: string) => void heard.push(digit));
    let ticks = 0;
    tasks.interval(1, () => ticks++);
    let fired = false;
    tasks.timeout(60_000, () => (fired = true));
    let aborted = false;
    const task = tasks.run(
      'long',
      (signal) =>
        new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve('stopped');
          }),
        ),
    );
    const slept = tasks.sleep(60_000);
    room.emit('dtmf', '1');
    let cleaned = 0;
    tasks.defer(() => cleaned++);

    await tasks.dispose();
    room.emit('dtmf', '2');
    expect(heard).toEqual(['1']);
    expect(room.listenerCount('dtmf')).toBe(0);
    expect(aborted).toBe(true);
    expect(await task).toBe('stopped');
    expect(await slept).toBe(false);
    expect(fired).toBe(false);
    expect(cleaned).toBe(1);
    const after = ticks;
    await new Promise((r) => setTimeout(r, 5));
    expect(ticks).toBe(after);
    expect(tasks.pending).toBe(0);
    expect(failures).toEqual([]);
  });

  it('logs a task that throws instead of letting it reach the call', async () => {
    const failures: { task: string; error: string }[] = [];
    const tasks = new CallTasks((f) => void failures.push(f));
    expect(await tasks.run('refer', async () => Promise.reject(new Error('boom')))).toBeUndefined();
    expect(failures).toEqual([{ task: 'refer', error: 'boom' }]);
  });

  it('starts nothing once the call has ended', async () => {
    const tasks = new CallTasks();
    await tasks.dispose();
    const room = new EventEmitter();
    tasks.on(room, 'dtmf', () => undefined);
    expect(room.listenerCount('dtmf')).toBe(0);
    let ran = false;
    expect(await tasks.run('late', async () => (ran = true))).toBeUndefined();
    expect(ran).toBe(false);
    expect(await tasks.sleep(1)).toBe(false);
    let deferred = false;
    tasks.defer(() => (deferred = true));
    expect(deferred).toBe(true);
    await tasks.dispose();
  });

  it('does not wait forever for a task that ignores the end of the call', async () => {
    const failures: string[] = [];
    const tasks = new CallTasks((_f, msg) => void failures.push(msg));
    void tasks.run('stuck', () => new Promise(() => undefined));
    await tasks.dispose(1);
    expect(failures).toEqual(['call tasks left running at the end of the call']);
  });
});
