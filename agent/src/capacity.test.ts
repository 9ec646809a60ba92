import { describe, expect, it } from 'vitest';
import { cpuSampler, defaultMaxCalls, defaultWarmProcesses, workerLoad } from './capacity.ts';

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

describe('cpuSampler', () => {
  it('returns host CPU use between 0 and 1', async () => {
    const sample = cpuSampler();
    const end = Date.now() + 50;
    while (Date.now() < end) Math.sqrt(Math.random());
    const use = sample();
    expect(use).toBeGreaterThan(0);
    expect(use).toBeLessThanOrEqual(1);
  });
});

describe('capacity defaults', () => {
  it('fits calls into 80% of the cores at the measured cost of a call', () => {
    expect([1, 2, 4, 8].map(defaultMaxCalls)).toEqual([2, 4, 9, 18]);
  });

  it('keeps a warm pool the size of the capacity, at most four', () => {
    expect([1, 2, 4, 18].map(defaultWarmProcesses)).toEqual([1, 2, 4, 4]);
  });
});
