import { describe, expect, it } from 'vitest';
import { admissionBurst, narrowPlan, quickPlan } from './plan.ts';

describe('narrowPlan', () => {
  it('keeps the named groups at the named burst sizes', () => {
    const plan = narrowPlan(quickPlan(), {
      groups: ['ours/cloud-zero', 'ours/offline'],
      callers: [4, 25],
    });
    expect(
      plan.groups.map((g) => [
        `${g.system}/${g.voice}`,
        g.loads.map((l) => l.kind === 'burst' && l.callers),
      ]),
    ).toEqual([
      ['ours/cloud-zero', [4, 25]],
      ['ours/offline', [4, 25]],
    ]);
  });

  it('offers a sweeping group sizes the plan lacks, and keeps a fixed burst only when listed', () => {
    const sizes = (callers: number[]) =>
      narrowPlan(quickPlan(), { callers }).groups.map((g) => [
        `${g.system}/${g.voice}`,
        g.loads.map((l) => l.kind === 'burst' && l.callers),
      ]);
    expect(sizes([2, 3])).toContainEqual(['ours/cloud-zero', [2, 3]]);
    expect(sizes([2, 3]).map(([name]) => name)).not.toContain('ours-admission/cloud-zero');
    const fixed = admissionBurst();
    if (fixed.kind !== 'burst') throw new Error('the admission row is a burst');
    expect(sizes([fixed.callers])).toContainEqual(['ours-admission/cloud-zero', [fixed.callers]]);
  });

  it('keeps everything when the filter is empty', () => {
    expect(narrowPlan(quickPlan(), {})).toEqual(quickPlan());
  });

  it('refuses a filter that matches nothing', () => {
    expect(() => narrowPlan(quickPlan(), { groups: ['peer/offline'] })).toThrow(
      /nothing in the quick plan/,
    );
  });
});
