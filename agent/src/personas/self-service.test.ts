import { initializeLogger, voice } from '@livekit/agents';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../../contracts/call-context.ts';
import { decodeUui } from '../../../contracts/genesys-uui.ts';
import { createDataActionClient } from './data-actions.ts';
import selfService from './self-service.ts';
import { ACCOUNT_NUMBER_ENTRY, PIN_ENTRY } from './self-service-identity.ts';
import {
  offlineIntentProblems,
  RecordingRuntime,
  startCustomerApi,
  TEST_ACCOUNT,
  testCall,
  testPersona,
  type CustomerApi,
  type PersonaTest,
  type RecordingRuntimeOptions,
} from './testing/index.ts';

const TOKEN = 'test-data-actions-token';
const JANE = testCall({ uui: decodeUui('account=12345;verified=true;name=Jane;encoding=ascii') });
/** The kit's default call: its UUI names an account, but the IVR did not verify the caller. */
const UNVERIFIED = testCall();

let api: CustomerApi;
let downUrl: string;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  api = await startCustomerApi();
  // A port that answered once and is now closed: connections are refused.
  const down = await startCustomerApi();
  downUrl = down.url;
  await down.close();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.received.length = 0;
  api.receivedAt.length = 0;
  api.reply = undefined;
});

let open: PersonaTest | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function start(
  opts: {
    call?: CallContext;
    baseUrl?: string;
    llm?: voice.testing.FakeLLM;
    keypadEntries?: RecordingRuntimeOptions['keypadEntries'];
  } = {},
): Promise<PersonaTest> {
  const runtime = new RecordingRuntime({
    call: opts.call ?? JANE,
    ...(opts.keypadEntries ? { keypadEntries: opts.keypadEntries } : {}),
    allowedQueues: selfService.transferTargets,
    data: createDataActionClient({
      baseUrl: opts.baseUrl ?? api.url,
      token: TOKEN,
      timeoutMs: 2000,
    }),
  });
  open = await testPersona(selfService, { runtime, ...(opts.llm ? { llm: opts.llm } : {}) });
  return open;
}

const BALANCE = 'Balance 42.50 USD, due 2026-07-31, account active.';
const saidBy = (result: voice.testing.RunResult) =>
  result.events.flatMap((e) => (e.type === 'message' ? (e.item.textContent ?? []) : []));

describe('self-service persona, greeting', () => {
  it('greets a caller the IVR verified by the name in the UUI', () => {
    expect(selfService.greeting(JANE)).toMatch(/^Hi Jane, thanks for calling\./);
  });

  it('greets an unverified caller without a name', () => {
    expect(selfService.greeting(UNVERIFIED)).toBe(
      'Thanks for calling. I can check your balance or an order. What would you like to know?',
    );
  });
});

describe('self-service persona, offline rules', () => {
  it('has offline intents that all match', () => {
    expect(offlineIntentProblems(selfService, JANE)).toEqual([]);
  });

  it('reads the balance from the data-action API back to the caller', async () => {
    const t = await start();
    const result = await t.run('What is my balance?');

    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.nextEvent().isFunctionCall({ name: 'get_account_status', args: {} });
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    result.expect.noMoreEvents();
    const [first, readBack] = saidBy(result);
    expect(first).toBe('Let me check that for you.');
    expect(readBack).toContain(BALANCE);
    expect(readBack).not.toMatch(/^"/);
    expect(api.received).toEqual([
      { method: 'GET', path: '/accounts/12345/status', authorization: `Bearer ${TOKEN}` },
    ]);
    expect(t.runtime.lookups).toEqual([
      { action: 'account_status', params: { accountId: '12345' } },
    ]);
  });

  it('asks a caller the IVR did not verify for account number and PIN on the keypad', async () => {
    const t = await start({ call: UNVERIFIED, keypadEntries: [TEST_ACCOUNT.id, TEST_ACCOUNT.pin] });
    const result = await t.run('What is my balance?');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(saidBy(result).at(-1)).toContain(BALANCE);
    expect(t.runtime.keypadRequests).toEqual([ACCOUNT_NUMBER_ENTRY, PIN_ENTRY]);
    expect(api.received).toEqual([
      {
        method: 'POST',
        path: '/accounts/12345/verify',
        authorization: `Bearer ${TOKEN}`,
        body: { pin: TEST_ACCOUNT.pin },
      },
      { method: 'GET', path: '/accounts/12345/status', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('asks for the keypad entry once per call, not once per question', async () => {
    const t = await start({ call: UNVERIFIED, keypadEntries: [TEST_ACCOUNT.id, TEST_ACCOUNT.pin] });
    await t.run('What is my balance?');
    const again = await t.run('How much do I owe?');

    expect(saidBy(again).at(-1)).toContain(BALANCE);
    expect(t.runtime.keypadRequests).toHaveLength(2);
    expect(api.received.map((r) => r.path)).toEqual([
      '/accounts/12345/verify',
      '/accounts/12345/status',
      '/accounts/12345/status',
    ]);
  });

  it('reads nothing out when the PIN does not match, and never tells the LLM the digits', async () => {
    const t = await start({ call: UNVERIFIED, keypadEntries: [TEST_ACCOUNT.id, '1111'] });
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('do not match');
    expect(output).not.toMatch(/12345|1111/);
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(api.received.map((r) => r.path)).toEqual(['/accounts/12345/verify']);
  });

  it('stops after the account number when the caller cannot type one', async () => {
    const t = await start({
      call: UNVERIFIED,
      keypadEntries: [{ status: 'gave_up', attempts: 3 }],
    });
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('could not type an account number');
    expect(t.runtime.keypadRequests.map((r) => r.purpose)).toEqual(['account_number']);
    expect(api.received).toEqual([]);
  });

  it('says nothing was found when the API answers 404', async () => {
    api.reply = { status: 404, body: { error: 'no such account' } };
    const t = await start();
    const result = await t.run('How much do I owe?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('Nothing was found');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(api.received.map((r) => r.path)).toEqual(['/accounts/12345/status']);
  });

  it.each([
    ['answers data of the wrong shape', { status: 200, body: { balance: 'lots' } }],
    ['answers 500', { status: 500, body: { error: 'boom' } }],
  ] as const)('says the lookup is unavailable when the API %s', async (_, reply) => {
    api.reply = reply;
    const t = await start();
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('The lookup is unavailable right now');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(api.received).toHaveLength(1);
  });

  it('says the lookup is unavailable when the API is down', async () => {
    const t = await start({ baseUrl: downUrl });
    const result = await t.run('What is my balance?');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toContain('The lookup is unavailable right now');
    expect(saidBy(result).at(-1)).toBe(selfService.offline.toolFailed);
    expect(t.runtime.lookups).toHaveLength(1);
  });

  it('transfers a caller who asks for a person to general', async () => {
    const t = await start();
    const result = await t.run('Can I talk to someone?');

    result.expect.containsFunctionCall({ name: 'transfer_to_queue', args: { queue: 'general' } });
    expect(t.runtime.transfers.map((r) => r.queue)).toEqual(['general']);
    expect(api.received).toEqual([]);
  });
});

describe('self-service persona, scripted LLM', () => {
  const orderCall = (order_number: string) => ({
    name: 'get_order_status',
    args: { order_number },
  });

  it('looks an order up under the authenticated account', async () => {
    const llm = new voice.testing.FakeLLM([
      { input: 'where is order 98765', toolCalls: [orderCall('98765')] },
    ]);
    const t = await start({ llm });
    const result = await t.run('where is order 98765');

    result.expect.nextEvent().isFunctionCall(orderCall('98765'));
    const output = result.expect.nextEvent().isFunctionCallOutput({ isError: false }).event()
      .item.output;
    expect(output).toContain('Order 98765 is shipped, expected Friday.');
    expect(api.received).toEqual([
      { method: 'GET', path: '/accounts/12345/orders/98765', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('refuses an order number with letters before any request is made', async () => {
    const llm = new voice.testing.FakeLLM([
      { input: 'where is order AB123', toolCalls: [orderCall('AB123')] },
    ]);
    const t = await start({ llm });
    const result = await t.run('where is order AB123');

    const output = result.expect.containsFunctionCallOutput({ isError: true }).event().item.output;
    expect(output).toMatch(/^Invalid arguments for get_order_status: /);
    expect(t.runtime.lookups).toEqual([]);
    expect(api.received).toEqual([]);
  });

  it('transfers to billing when the LLM asks for it', async () => {
    const args = { queue: 'billing', summary: 'Jane wants to set up a payment plan' };
    const llm = new voice.testing.FakeLLM([
      {
        input: 'I want a payment plan',
        toolCalls: [{ name: 'transfer_to_queue', args }],
      },
    ]);
    const t = await start({ llm });
    const result = await t.run('I want a payment plan');

    result.expect.containsFunctionCallOutput({ isError: false });
    expect(t.runtime.transfers).toEqual([{ ...args, reason: 'persona_route' }]);
  });
});
