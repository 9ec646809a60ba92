import { describe, expect, it } from 'vitest';
import { cpuSplit } from './pin.ts';

describe('the worker CPU split', () => {
  it('gives the worker the CPUs listed and the stack the others', () => {
    expect(cpuSplit('1', 2)).toEqual({ worker: [1], rest: [0] });
    expect(cpuSplit('1-2,5', 8)).toEqual({ worker: [1, 2, 5], rest: [0, 3, 4, 6, 7] });
    expect(cpuSplit(undefined, 2)).toBeUndefined();
    expect(cpuSplit(' ', 2)).toBeUndefined();
  });

  it('refuses a CPU the machine lacks, every CPU, or a list it cannot read', () => {
    expect(() => cpuSplit('2', 2)).toThrow(/CPUs 0-1/);
    expect(() => cpuSplit('0,1', 2)).toThrow(/at least one CPU/);
    expect(() => cpuSplit('one', 2)).toThrow(/not a CPU number/);
  });
});
