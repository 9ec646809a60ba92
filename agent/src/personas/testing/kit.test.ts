import { describe, expect, it } from 'vitest';
import { decodeUui } from '../../../../contracts/genesys-uui.ts';
import { definePersona } from '../persona.ts';
import { personas } from '../registry.ts';
import selfService, { accountStatus } from '../self-service.ts';
import triage from '../triage.ts';
import { offlineIntentProblems, RecordingRuntime, testCall } from './index.ts';

describe('testCall', () => {
  it('reads a Genesys call as the call runner does, frozen', () => {
    const call = testCall();
    expect(call).toMatchObject({
      ani: '+15551234567',
      dnis: '+18005550100',
      conversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
      uui: { fields: { account: '100042' } },
      uuiProblem: undefined,
      xHeaders: { 'x-customer-tier': 'gold' },
    });
    expect(Object.isFrozen(call)).toBe(true);
  });

  it('replaces the fields a test names', () => {
    const uui = decodeUui('account=100042;verified=true;encoding=ascii');
    const call = testCall({ ani: '+15550001111', uui });
    expect(call.ani).toBe('+15550001111');
    expect(call.uui?.fields).toEqual({ account: '100042', verified: 'true' });
    expect(call.sipCallId).toBe(testCall().sipCallId);
  });
});

describe('RecordingRuntime', () => {
  it('records transfers and answers transferring by default', async () => {
    const rt = new RecordingRuntime();
    const req = { queue: 'billing', reason: 'persona_route', summary: 'x' } as const;
    expect(await rt.transfer(req)).toEqual({ status: 'transferring', queue: 'billing' });
    expect(rt.transfers).toEqual([req]);
  });

  it('answers not_allowed outside the allowed queues, and the configured result inside', async () => {
    const rt = new RecordingRuntime({ allowedQueues: ['general'], transferResult: 'failed' });
    expect(await rt.transfer({ queue: 'sales', reason: 'persona_route' })).toEqual({
      status: 'not_allowed',
      queue: 'sales',
      allowed: ['general'],
    });
    expect(await rt.transfer({ queue: 'general', reason: 'persona_route' })).toMatchObject({
      status: 'failed',
    });
    expect(rt.transfers.map((r) => r.queue)).toEqual(['sales', 'general']);
  });

  it('records callbacks with sequential ids', async () => {
    const rt = new RecordingRuntime();
    expect(await rt.requestCallback({ number: '+15551234567', issueType: 'billing' })).toEqual({
      id: 'callback-1',
    });
    expect(await rt.requestCallback({ number: '5551234', issueType: 'other' })).toEqual({
      id: 'callback-2',
    });
    expect(rt.callbacks.map((c) => c.issueType)).toEqual(['billing', 'other']);
  });

  it('records data lookups; without a data client every lookup is unavailable', async () => {
    const rt = new RecordingRuntime();
    const result = await rt.data.lookup(accountStatus, { accountId: '100042' });
    expect(result.status).toBe('unavailable');
    expect(rt.lookups).toEqual([{ action: 'account_status', params: { accountId: '100042' } }]);
  });
});

describe('offlineIntentProblems', () => {
  it.each([...personas.values()].map((p) => [p.name, p] as const))(
    'finds none in the %s persona',
    (_, persona) => {
      expect(offlineIntentProblems(persona)).toEqual([]);
    },
  );

  it('reports intents that would misfire during a call', () => {
    const broken = definePersona({
      ...selfService,
      offline: {
        intents: [
          { name: 'silent', phrases: ['hello'] },
          {
            name: 'typo',
            phrases: ['balance'],
            call: { tool: 'get_acount_status', args: () => ({}) },
          },
          {
            name: 'bad-queue',
            phrases: ['someone'],
            call: { tool: 'transfer_to_queue', args: () => ({ queue: 'sales', summary: 'x' }) },
          },
          {
            name: 'shadowed',
            phrases: ['talk to someone'],
            say: 'One moment.',
          },
        ],
        noMatch: 'Sorry?',
        toolFailed: 'Sorry, that failed.',
      },
    });
    const problems = offlineIntentProblems(broken);
    expect(problems).toEqual([
      'intent "silent" neither says nor calls anything',
      'intent "typo" calls "get_acount_status", which the persona\'s tools lack',
      expect.stringMatching(/^intent "bad-queue": "transfer_to_queue" refuses its args: /),
      'intent "shadowed": phrase "talk to someone" never matches: intent "bad-queue" matches it first',
    ]);
    expect(offlineIntentProblems(triage)).toEqual([]);
  });
});
