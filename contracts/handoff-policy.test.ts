import { describe, expect, it } from 'vitest';
import { handoffPolicyProblem, resolveHandoffPolicy } from './handoff-policy.ts';

describe('resolveHandoffPolicy', () => {
  it('applies the defaults when neither the persona nor the route says anything', () => {
    const policy = resolveHandoffPolicy(undefined, undefined);
    expect(policy.silence).toMatchObject({ afterSeconds: 10, then: 'transfer' });
    expect(policy.maxTurns).toBe(30);
  });

  it('lets the route override the persona field by field, nested sections included', () => {
    const policy = resolveHandoffPolicy(
      { maxTurns: 20, silence: { afterSeconds: 8, prompts: ['Hello?'] } },
      { silence: { afterSeconds: 4, then: 'end' } },
    );
    expect(policy.maxTurns).toBe(20);
    expect(policy.silence).toMatchObject({ afterSeconds: 4, prompts: ['Hello?'], then: 'end' });
  });

  it('refuses a merge that breaks a rule neither side broke alone', () => {
    expect(() =>
      resolveHandoffPolicy({ warnBeforeSeconds: 50 }, { maxSessionSeconds: 40 }),
    ).toThrow(/warnBeforeSeconds must be less than maxSessionSeconds/);
  });
});

describe('handoffPolicyProblem', () => {
  it('is undefined for a valid input and names the path of the first problem otherwise', () => {
    expect(handoffPolicyProblem({ silence: { afterSeconds: 5 } })).toBeUndefined();
    expect(handoffPolicyProblem({ frustration: { maxRepeats: 1 } })).toMatch(
      /^frustration\.maxRepeats: /,
    );
  });
});

describe('providerFailure policy', () => {
  it('transfers by default, with an apology', () => {
    const policy = resolveHandoffPolicy(undefined, undefined);
    expect(policy.providerFailure.then).toBe('transfer');
    expect(policy.providerFailure.apology).toMatch(/connect you with a colleague/);
  });

  it('can keep the call on the offline voice, per route', () => {
    const policy = resolveHandoffPolicy(
      { providerFailure: { apology: 'Sorry about that.' } },
      { providerFailure: { then: 'offline_voice' } },
    );
    expect(policy.providerFailure).toEqual({ then: 'offline_voice', apology: 'Sorry about that.' });
  });
});
