/**
 * Keypad entry and silence through the real stack, on the offline voice.
 * sipp plays Genesys: a caller who types account number and PIN as RFC 2833
 * digits, and callers who say nothing at all. The route handoff overrides in
 * test/fixtures/routing-exits.yaml set the silence period to 3 s.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCustomerApi,
  TEST_ACCOUNT,
  type CustomerApi,
} from '../agent/src/personas/testing/customer-api.ts';
import { audioStats } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const KEYPAD_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a81';
const SILENT_TRANSFER_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a82';
const SILENT_END_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a83';
const PLATINUM_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a85';
/** The test account's PIN has zeros: typed into a keypad entry they must not transfer. */
const PIN = TEST_ACCOUNT.pin;

let stack: Stack;
let api: CustomerApi;

beforeAll(async () => {
  api = await startCustomerApi();
  stack = await startStack({
    slot: 6,
    name: 'test-exit-conditions',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-exits.yaml'),
    agentEnv: { DATA_ACTIONS_URL: api.url, DATA_ACTIONS_TOKEN: 'test-crm-token' },
  });
});

afterAll(async () => {
  await stack?.stop();
  await api?.close();
});

/** The agent's log lines of one call, by its Genesys conversation id. */
function callLines(conversationId: string): LogLine[] {
  return readJsonLog(stack.runDir, 'agent.log').filter(
    (l) => l['genesysConversationId'] === conversationId,
  );
}

describe('keypad entry (RFC 2833 digits)', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-keypad-entry.xml',
      conversationId: KEYPAD_CNV,
      // Names an account, but the IVR did not verify the caller.
      uui: `account=${TEST_ACCOUNT.id}`,
      speech: 'What is my balance?',
      speechEngine: 'flite',
      trailingSilenceSeconds: 40,
      keys: `${TEST_ACCOUNT.id}#,${PIN}`,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('completes the call with no transfer: a 0 typed into an entry is a digit', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer).toBeUndefined();
  });

  it('verifies the typed account number and PIN with the customer API, then reads the balance', () => {
    expect(api.received).toEqual([
      {
        method: 'POST',
        path: `/accounts/${TEST_ACCOUNT.id}/verify`,
        authorization: 'Bearer test-crm-token',
        body: { pin: PIN },
      },
      {
        method: 'GET',
        path: `/accounts/${TEST_ACCOUNT.id}/status`,
        authorization: 'Bearer test-crm-token',
      },
    ]);
  });

  it('lets the caller hear the balance after verification', () => {
    const verifiedAt = (api.receivedAt[1] ?? Infinity) / 1000;
    const after = call.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > verifiedAt,
    );
    // "Balance 42.50 USD, due 2026-07-31, account active." lasts about 4 s.
    expect(audioStats(pcmuAudio(after)).voicedMs).toBeGreaterThan(2000);
  });

  it('logs each entry masked and never the digits', () => {
    const lines = callLines(KEYPAD_CNV);
    const entries = lines.filter((l) => l.msg === 'keypad entry finished');
    expect(entries.map((l) => [l['purpose'], l['status'], l['digits']])).toEqual([
      ['account_number', 'collected', '•'.repeat(TEST_ACCOUNT.id.length)],
      ['pin', 'collected', '••••'],
    ]);
    const log = JSON.stringify(readJsonLog(stack.runDir, 'agent.log'));
    expect(log).not.toContain(PIN);
  });
});

describe('silent caller, route policy "transfer"', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-spoken-request.xml',
      dnis: '+18005550110',
      conversationId: SILENT_TRANSFER_CNV,
      speech: '',
      // The line carries silence, not nothing, until the REFER.
      trailingSilenceSeconds: 40,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('prompts once, then hands the caller to the route queue with reason "silence"', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    // ai_cnv may be dropped when the UUI reaches uuiMaxBytes; the reason never is.
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'silence',
      ai_route: 'silent-transfer',
    });
    const policy = callLines(SILENT_TRANSFER_CNV).filter(
      (l) => l.msg === 'handoff policy triggered',
    );
    expect(policy.map((l) => l['reason'])).toEqual(['silence']);
  });
});

describe('silent caller, persona policy "end"', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-silent-caller.xml',
      dnis: '+18005550120',
      conversationId: SILENT_END_CNV,
      speech: '',
      trailingSilenceSeconds: 0,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('says goodbye and hangs up from the bridge, with no transfer', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer).toBeUndefined();
    expect(call.byeReceived).toBe(true);
    expect(callLines(SILENT_END_CNV).some((l) => l.msg === 'handoff policy ends the call')).toBe(
      true,
    );
  });

  it('spoke to the caller, and said goodbye before hanging up', () => {
    // Greeting (~5 s), "Are you still there?" (~1 s) and the goodbye (~5 s);
    // a starved machine may lose some frames, so each part is checked loosely.
    expect(call.heard.voicedMs).toBeGreaterThan(3000);
    const ends = callLines(SILENT_END_CNV).find((l) => l.msg === 'handoff policy ends the call');
    const decidedAt = Number(ends?.['time']) / 1000;
    const goodbye = call.rtp.filter(
      (p) => p.dstPort === stack.ports.genesysMedia && p.time > decidedAt,
    );
    expect(audioStats(pcmuAudio(goodbye)).voicedMs).toBeGreaterThan(1500);
  });
});

describe('a route chosen by an X- header', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    // Dialled on the silent-transfer number, but the flow marks the caller platinum.
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-silent-caller.xml',
      dnis: '+18005550110',
      conversationId: PLATINUM_CNV,
      customerTier: 'platinum',
      speech: '',
      trailingSilenceSeconds: 0,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it("runs the matched route's persona and policy instead of the number's", () => {
    const answered = callLines(PLATINUM_CNV).find((l) => l.msg === 'call answered');
    expect(answered).toMatchObject({
      route: 'platinum',
      numberRoute: 'silent-transfer',
      persona: 'after-hours',
    });
    // after-hours ends a silent call where silent-transfer would have transferred it.
    expect(call.sipp.failures).toEqual([]);
    expect(call.refer).toBeUndefined();
    expect(call.byeReceived).toBe(true);
  });
});
