/**
 * Keypad entry and the handoff policy's exits through the real stack, on the
 * offline voice. sipp plays Genesys: a caller who types account number and
 * PIN as RFC 2833 digits once the agent has asked for each (a reactive
 * caller, bench/load/reactive-call.ts), callers who say nothing at all, a caller who asks
 * one question too many, and one who outstays the session limit. The route
 * handoff overrides in test/fixtures/routing-exits.yaml make the limits short
 * (silence 3 s, two turns, a 30 s session).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCustomerApi,
  TEST_ACCOUNT,
  type CustomerApi,
} from '../agent/src/personas/testing/customer-api.ts';
import { audioStats, callerAudio } from './harness/audio.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog, waitForIdleWorker, type LogLine } from './harness/logs.ts';
import {
  agentTurnEnded,
  callerClip,
  placeReactiveCall,
  typeKeys,
  type ReactiveCallReport,
} from '../bench/load/reactive-call.ts';
import { pcmuAudio } from './harness/rtp-capture.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const KEYPAD_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a81';
const SILENT_TRANSFER_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a82';
const SILENT_END_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a83';
const PLATINUM_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a85';
const TURN_LIMIT_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a86';
const TIME_LIMIT_CNV = '0b7e3a52-6c1d-4f8e-9a2b-3c4d5e6f7a87';
const GENERAL_QUEUE = 'sip:+18005550150@127.0.0.1:5070';
/** The test account's PIN has zeros: typed into a keypad entry they must not transfer. */
const PIN = TEST_ACCOUNT.pin;

let stack: Stack;
let api: CustomerApi;
let audioDir: string;

beforeAll(async () => {
  audioDir = mkdtempSync(join(tmpdir(), 'exit-conditions-'));
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
  if (audioDir) rmSync(audioDir, { recursive: true, force: true });
});

/** The agent's log lines of one call, by its Genesys conversation id. */
function callLines(conversationId: string): LogLine[] {
  return readJsonLog(stack.runDir, 'agent.log').filter(
    (l) => l['genesysConversationId'] === conversationId,
  );
}

describe('keypad entry (RFC 2833 digits)', () => {
  let call: ReactiveCallReport;

  beforeAll(async () => {
    const question = callerClip('What is my balance?', audioDir);
    call = await placeReactiveCall(
      stack,
      {
        dnis: '+18005550100',
        ani: defaultGenesysCall.ani,
        conversationId: KEYPAD_CNV,
        // Names an account, but the IVR did not verify the caller.
        uui: `account=${TEST_ACCOUNT.id}`,
        customerTier: defaultGenesysCall.customerTier,
      },
      async (line) => {
        const greeted = await agentTurnEnded(line, line.now(), {
          minSpeechMs: 1000,
          silenceMs: 1000,
          what: 'the greeting',
        });
        const asked = (await line.speak(question)).endMs;
        // "Let me check that for you." and "Please type your account number on
        // your keypad, then press the pound key." (about 6 s in all): a turn
        // shorter than 3 s is not the prompt yet.
        const accountPrompt = await agentTurnEnded(line, Math.max(asked, greeted), {
          minSpeechMs: 3000,
          silenceMs: 1200,
          what: 'the account number prompt',
        });
        const accountTyped = await typeKeys(line, `${TEST_ACCOUNT.id}#`);
        // "Thank you. Now type your four digit PIN." comes only after the entry.
        await agentTurnEnded(line, Math.max(accountTyped, accountPrompt), {
          minSpeechMs: 1000,
          silenceMs: 1200,
          what: 'the PIN prompt',
        });
        const pinTyped = await typeKeys(line, PIN);
        // The balance, read out once the PIN is verified.
        await agentTurnEnded(line, pinTyped, {
          minSpeechMs: 2000,
          silenceMs: 1500,
          what: 'the balance',
        });
      },
    );
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('completes the call with no transfer: a 0 typed into an entry is a digit', () => {
    expect(call.scriptError).toBeUndefined();
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
    expect(call.refer?.target).toBe(GENERAL_QUEUE);
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

/** The policy's handoffs of one call, by reason, from the agent's log. */
function policyHandoffs(conversationId: string): unknown[] {
  return callLines(conversationId)
    .filter((l) => l.msg === 'handoff policy triggered')
    .map((l) => l['reason']);
}

describe('turn limit (route policy maxTurns: 2)', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    // Two questions the overflow persona answers itself (its FAQ): only the
    // policy can transfer. The first comes once the ~10 s greeting is over.
    const audio = callerAudio(audioDir, 'turn-limit', [
      6,
      'What are your opening hours?',
      7,
      'What is your website?',
      25,
    ]);
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-spoken-request.xml',
      dnis: '+18005550130',
      conversationId: TURN_LIMIT_CNV,
      audioFile: audio.file,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('answers the first question, then REFERs the caller at the second with reason "turn_limit"', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe(GENERAL_QUEUE);
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'turn_limit',
      ai_route: 'turn-limit',
    });
    expect(policyHandoffs(TURN_LIMIT_CNV)).toEqual(['turn_limit']);
    // Both turns were heard; the persona never transferred on its own.
    const said = callLines(TURN_LIMIT_CNV).filter((l) => l.msg === 'caller said');
    expect(said.length).toBeGreaterThanOrEqual(2);
  });
});

describe('time limit (route policy maxSessionSeconds: 30, warned 5 s before)', () => {
  let call: GenesysCallReport;

  beforeAll(async () => {
    // A caller who only listens: the silence policy (60 s on this route) never
    // comes first.
    call = await placeGenesysCall(stack, {
      ...defaultGenesysCall,
      scenario: 'genesys-spoken-request.xml',
      dnis: '+18005550131',
      conversationId: TIME_LIMIT_CNV,
      speech: '',
      trailingSilenceSeconds: 45,
    });
    await waitForIdleWorker(stack.ports.agentHealth);
  });

  it('warns the caller, then REFERs them once the session is 30 s old with reason "time_limit"', () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe(GENERAL_QUEUE);
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'time_limit',
      ai_route: 'time-limit',
    });
    expect(policyHandoffs(TIME_LIMIT_CNV)).toEqual(['time_limit']);
    const answeredAt =
      call.sipp.messages.find((m) => m.direction === 'received' && m.status === 200)?.time ??
      Infinity;
    const referAt = call.refer?.message.time ?? 0;
    expect(referAt - answeredAt).toBeGreaterThanOrEqual(30);
    // "We are almost out of time on this call..." (~5 s) from 25 s on.
    const warning = call.rtp.filter(
      (p) =>
        p.dstPort === stack.ports.genesysMedia &&
        p.time > answeredAt + 24 &&
        p.time < answeredAt + 30,
    );
    expect(audioStats(pcmuAudio(warning)).voicedMs).toBeGreaterThan(2500);
  });
});
