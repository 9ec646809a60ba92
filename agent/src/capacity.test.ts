import { describe, expect, it } from 'vitest';
import {
  defaultMaxCalls,
  defaultWarmProcesses,
  reportedLoad,
  SERVER_TARGET_LOAD,
  workerLoad,
} from './capacity.ts';

describe('workerLoad', () => {
  it('counts calls against the maximum', () => {
    expect(workerLoad(0, 0, { maxCalls: 4, cpuLimit: 0 })).toBe(0);
    expect(workerLoad(3, 0.99, { maxCalls: 4, cpuLimit: 0 })).toBe(0.75);
    expect(workerLoad(4, 0, { maxCalls: 4, cpuLimit: 0 })).toBe(1);
  });

  it('reports full when host CPU passes the limit, whatever the call count', () => {
    expect(workerLoad(1, 0.95, { maxCalls: 8, cpuLimit: 0.9 })).toBeGreaterThan(1);
    expect(workerLoad(1, 0.45, { maxCalls: 8, cpuLimit: 0.9 })).toBe(0.5);
  });
});

describe('capacity defaults', () => {
  it('fits calls into 80% of the cores at the measured cost of a call', () => {
    expect([1, 2, 4, 8].map(defaultMaxCalls)).toEqual([5, 10, 20, 40]);
  });

  it('keeps a warm pool the size of the capacity, at most four', () => {
    expect([1, 2, 4, 18].map(defaultWarmProcesses)).toEqual([1, 2, 4, 4]);
  });
});

describe('the load reported to livekit-server', () => {
  it('stays under its target load until the worker holds maxCalls', () => {
    const maxCalls = 5;
    const loads = [0, 1, 2, 3, 4, 5].map((n) =>
      reportedLoad(workerLoad(n, 0, { maxCalls, cpuLimit: 0 })),
    );
    // livekit-server gives a worker a job while target_load - load > 0.
    expect(loads.slice(0, 5).every((l) => SERVER_TARGET_LOAD - l > 1e-9)).toBe(true);
    expect(SERVER_TARGET_LOAD - (loads[5] ?? 0)).toBeLessThanOrEqual(1e-9);
    expect(reportedLoad(0.5, 0.9)).toBeCloseTo(0.45);
  });
});
