import { describe, expect, it } from 'vitest';
import { classifyProcesses, type ProcessEntry } from './classify.ts';

const roots = { workerPid: 100, livekitSipPid: 50, livekitServerPid: 40 };
const table = (entries: [pid: number, ppid: number, cmdline: string][]) =>
  new Map<number, ProcessEntry>(
    entries.map(([pid, ppid, cmd]) => [pid, { pid, ppid, cmdline: cmd.split(' ') }]),
  );
const FORKSERVER =
  "/work/main/.tools/bench-python/bin/python -B -c from multiprocessing.forkserver import main; main(18, 20, ['livekit.plugins.silero'])";

describe('process classification', () => {
  it('LiveKit Agents for Node: forked job processes with their children, the inference process, the worker', () => {
    const groups = classifyProcesses(
      table([
        [1, 0, '/sbin/init'],
        [40, 1, 'livekit-server --config livekit.yaml'],
        [50, 1, 'livekit-sip --config sip.yaml'],
        [90, 1, 'node test/harness/stack.ts'],
        [100, 90, 'node /work/main/agent/src/main.ts start'],
        [
          101,
          100,
          'node /work/main/node_modules/@livekit/agents/dist/ipc/inference_proc_lazy_main.js {}',
        ],
        [
          102,
          100,
          'node /work/main/node_modules/@livekit/agents/dist/ipc/job_proc_lazy_main.js /work/main/agent/src/agent.ts',
        ],
        [
          103,
          100,
          'node /work/main/node_modules/@livekit/agents/dist/ipc/job_proc_lazy_main.js /work/main/agent/src/agent.ts',
        ],
        [104, 103, 'pocketsphinx_continuous -infile /dev/stdin -jsgf overflow.gram'],
        [105, 104, 'sh -c espeak-ng'],
        [200, 1, 'node /work/main/dispatch/src/main.ts serve'],
      ]),
      roots,
    );
    expect(Object.fromEntries(groups)).toEqual({
      40: { group: 'livekitServer' },
      50: { group: 'livekitSip' },
      100: { group: 'worker' },
      101: { group: 'inference' },
      102: { group: 'jobs', jobRoot: 102 },
      103: { group: 'jobs', jobRoot: 103 },
      104: { group: 'jobs', jobRoot: 103 },
      105: { group: 'jobs', jobRoot: 103 },
    });
  });

  it('LiveKit Agents for Python (forkserver): job processes are the forkserver’s children', () => {
    const groups = classifyProcesses(
      table([
        [100, 1, '/work/main/.tools/bench-python/bin/python /work/main/bench/peer/agent.py start'],
        [
          110,
          100,
          '/work/main/.tools/bench-python/bin/python -B -c from multiprocessing.resource_tracker import main;main(18)',
        ],
        [111, 100, FORKSERVER],
        [112, 111, FORKSERVER],
        [113, 111, FORKSERVER],
      ]),
      roots,
    );
    expect(Object.fromEntries(groups)).toEqual({
      100: { group: 'worker' },
      110: { group: 'inference' },
      111: { group: 'inference' },
      112: { group: 'jobs', jobRoot: 112 },
      113: { group: 'jobs', jobRoot: 113 },
    });
  });

  it('LiveKit Agents for Python (spawn): job processes are the worker’s spawn_main children', () => {
    const groups = classifyProcesses(
      table([
        [100, 1, 'python agent.py start'],
        [
          120,
          100,
          'python -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7) --multiprocessing-fork',
        ],
      ]),
      roots,
    );
    expect(groups.get(120)).toEqual({ group: 'jobs', jobRoot: 120 });
  });

  it('an explicitly named root wins over its ancestry; missing roots classify nothing', () => {
    const groups = classifyProcesses(
      table([
        [100, 1, 'node main.ts'],
        [50, 100, 'sleep 30'],
      ]),
      roots,
    );
    expect(groups.get(50)).toEqual({ group: 'livekitSip' });
    expect(classifyProcesses(table([[7, 1, 'x']]), roots).size).toBe(0);
  });
});
