import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readProcStat } from './proc.ts';
import { startResourceSampler } from './sampler.ts';
import { removeProcess, writeProcess, type SyntheticProcess } from './synthetic-proc.ts';

const JOB =
  'node /x/node_modules/@livekit/agents/dist/ipc/job_proc_lazy_main.js /x/agent/src/agent.ts';
const INFERENCE = 'node /x/node_modules/@livekit/agents/dist/ipc/inference_proc_lazy_main.js {}';

describe('resource sampler on a synthetic /proc', () => {
  const root = mkdtempSync(join(tmpdir(), 'proc-tree-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => vi.useRealTimers());

  it('sums CPU per group, keeps the PSS peak, times a job process’s start, integrates talking calls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const at = (ps: SyntheticProcess[]) => ps.forEach((p) => writeProcess(root, p));
    const MB = 1024;
    at([
      { pid: 1, ppid: 0, cmdline: '/sbin/init', utime: 5 },
      { pid: 7, ppid: 1, cmdline: 'unrelated', utime: 999 },
      { pid: 40, ppid: 1, cmdline: 'livekit-server', utime: 100, pssKb: 30 * MB },
      { pid: 50, ppid: 1, cmdline: 'livekit-sip', utime: 200, pssKb: 20 * MB },
      { pid: 100, ppid: 1, cmdline: 'node main.ts start', utime: 1000, pssKb: 100 * MB },
      { pid: 101, ppid: 100, cmdline: INFERENCE, utime: 500, pssKb: 200 * MB },
      // A warm job process from before the window: no start cost measured for it.
      { pid: 102, ppid: 100, cmdline: JOB, utime: 300, pssKb: 50 * MB },
    ]);
    let talking = 0;
    const sampler = startResourceSampler({
      workerPid: 100,
      livekitSipPid: 50,
      livekitServerPid: 40,
      intervalMs: 500,
      pssIntervalMs: 1000,
      talkingCalls: () => talking,
      procRoot: root,
    });
    const step = async (ps: SyntheticProcess[], talkingNow: number) => {
      at(ps);
      talking = talkingNow;
      await vi.advanceTimersByTimeAsync(500);
    };
    // t=500: a new job process appears (0.3 s of CPU already), a call is talking.
    await step(
      [
        { pid: 100, ppid: 1, cmdline: 'node main.ts start', utime: 1010, pssKb: 100 * MB },
        { pid: 101, ppid: 100, cmdline: INFERENCE, utime: 505, pssKb: 200 * MB },
        { pid: 103, ppid: 100, cmdline: JOB, utime: 30, pssKb: 80 * MB },
        { pid: 50, ppid: 1, cmdline: 'livekit-sip', utime: 205, pssKb: 20 * MB },
        { pid: 40, ppid: 1, cmdline: 'livekit-server', utime: 101, pssKb: 30 * MB },
      ],
      1,
    );
    // t=1000: it starts a recognizer.
    await step(
      [
        { pid: 100, ppid: 1, cmdline: 'node main.ts start', utime: 1020, pssKb: 100 * MB },
        { pid: 103, ppid: 100, cmdline: JOB, utime: 80, pssKb: 80 * MB },
        { pid: 104, ppid: 103, cmdline: 'pocketsphinx_continuous', utime: 10, pssKb: 10 * MB },
        { pid: 50, ppid: 1, cmdline: 'livekit-sip', utime: 210, pssKb: 20 * MB },
      ],
      1,
    );
    await step(
      [
        { pid: 103, ppid: 100, cmdline: JOB, utime: 130, pssKb: 90 * MB },
        { pid: 104, ppid: 103, cmdline: 'pocketsphinx_continuous', utime: 12, pssKb: 10 * MB },
      ],
      1,
    );
    // t=2000 and 2500: nearly idle (it is up and waiting).
    await step([{ pid: 103, ppid: 100, cmdline: JOB, utime: 131, pssKb: 90 * MB }], 1);
    await step(
      [{ pid: 104, ppid: 103, cmdline: 'pocketsphinx_continuous', utime: 13, pssKb: 10 * MB }],
      1,
    );
    // t=3000: the call ended, its processes exited.
    removeProcess(root, 103);
    removeProcess(root, 104);
    await step([], 0);
    const usage = await sampler.stop();

    expect(usage).toEqual({
      windowSeconds: 3,
      worker: { cpuSeconds: 0.2, peakPssMb: 100, processes: 1 },
      inference: { cpuSeconds: 0.05, peakPssMb: 200, processes: 1 },
      jobs: { cpuSeconds: 1.44, peakPssMb: 150, processes: 3 },
      livekitSip: { cpuSeconds: 0.1, peakPssMb: 20, processes: 1 },
      livekitServer: { cpuSeconds: 0.01, peakPssMb: 30, processes: 1 },
      // Up to the start of the first quiet second (t=1500): 1.30 s in the job, 0.12 s in its child.
      jobStartCpuSeconds: [1.42],
      talkingCallSeconds: 2.5,
      samplerCpuSeconds: expect.any(Number),
    });
  });
});

describe('resource sampler on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sampler-live-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows this process as the worker and a forked busy job process, until it goes idle', async () => {
    // Named like agents-js's job entry point, so it classifies as a job process; it burns
    // 0.4 s of CPU (however long that takes on a loaded machine), then idles.
    const jobMain = join(dir, 'job_proc_lazy_main.js');
    writeFileSync(
      jobMain,
      'const t0 = process.cpuUsage(); while ((process.cpuUsage(t0).user + process.cpuUsage(t0).system) < 400_000) {}\n' +
        'process.stdout.write("idle\\n"); setTimeout(() => {}, 60_000);\n',
    );
    const standIns = [spawn('sleep', ['60']), spawn('sleep', ['60'])];
    children.push(...standIns);
    const sampler = startResourceSampler({
      workerPid: process.pid,
      livekitSipPid: standIns[0]?.pid ?? 0,
      livekitServerPid: standIns[1]?.pid ?? 0,
      intervalMs: 200,
      talkingCalls: () => 1,
    });
    const job = spawn(process.execPath, [jobMain], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(job);
    await new Promise<void>((resolve) => job.stdout?.once('data', () => resolve()));
    // Idle for more than the 1 s window (plus a tick or two) once the busy part is done.
    await new Promise((r) => setTimeout(r, 1800));
    expect(readProcStat(job.pid ?? 0)?.state).toMatch(/[SR]/);
    const usage = await sampler.stop();
    console.log('live sampler usage', JSON.stringify(usage));

    expect(usage.jobs.processes).toBe(1);
    expect(usage.jobs.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(usage.jobStartCpuSeconds).toHaveLength(1);
    expect(usage.jobStartCpuSeconds[0]).toBeGreaterThanOrEqual(0.3);
    expect(usage.worker.processes).toBe(1);
    expect(usage.worker.peakPssMb).toBeGreaterThan(0);
    expect(usage.livekitSip.processes).toBe(1);
    expect(usage.livekitServer.processes).toBe(1);
    expect(usage.talkingCallSeconds).toBeGreaterThan(0);
    expect(usage.samplerCpuSeconds).toBeGreaterThan(0);
  });
});
