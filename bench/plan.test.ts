import { describe, expect, it } from 'vitest';
import { narrowPlan, quickPlan } from './plan.ts';

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

  it('keeps everything when the filter is empty', () => {
    expect(narrowPlan(quickPlan(), {})).toEqual(quickPlan());
  });

  it('refuses a filter that matches nothing', () => {
    expect(() => narrowPlan(quickPlan(), { groups: ['peer/offline'] })).toThrow(
      /nothing in the quick plan/,
    );
  });
});
