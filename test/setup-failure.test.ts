/**
 * A call whose agent job fails before its conversation starts, on the real
 * stack: a hand-made dispatch rule (not dispatch's) sends the agent job
 * metadata it cannot read. The caller must not be left in silence: the agent
 * hands them to the route's human queue (found from the rule's room prefix)
 * with reason agent_failure, and tells dispatch it decided, so no replacement
 * agent is sent.
 */
import { join } from 'node:path';
import {
  RoomAgentDispatch,
  RoomConfiguration,
  SIPDispatchRule,
  SIPDispatchRuleIndividual,
  SIPDispatchRuleInfo,
} from '@livekit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipAdmin } from '../dispatch/src/provision/sip-api.ts';
import {
  defaultGenesysCall,
  placeGenesysCall,
  type GenesysCallReport,
} from './harness/genesys-call.ts';
import { readJsonLog } from './harness/logs.ts';
import { startStack, type Stack } from './harness/stack.ts';
import { REPO_ROOT } from './harness/tools.ts';

const UNREADABLE_NUMBER = '+18005550199';
const CNV = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

let stack: Stack;
let call: GenesysCallReport;

beforeAll(async () => {
  stack = await startStack({
    slot: 2,
    name: 'test-setup-failure',
    routingFile: join(REPO_ROOT, 'test/fixtures/routing-setup-failure.yaml'),
  });
  const admin = new SipAdmin({
    apiUrl: stack.livekit.httpUrl,
    apiKey: stack.livekit.apiKey,
    apiSecret: stack.livekit.apiSecret,
  });
  const trunk = (await admin.client.listSipInboundTrunk()).find(
    (t) => t.name === 'genesys-byoc-local',
  );
  if (!trunk) throw new Error('dispatch did not provision the inbound trunk');
  await admin.createDispatchRule(
    new SIPDispatchRuleInfo({
      name: 'hand-made, unreadable agent metadata',
      trunkIds: [trunk.sipTrunkId],
      numbers: [UNREADABLE_NUMBER],
      hidePhoneNumber: true,
      rule: new SIPDispatchRule({
        rule: {
          case: 'dispatchRuleIndividual',
          value: new SIPDispatchRuleIndividual({ roomPrefix: 'call-main-' }),
        },
      }),
      roomConfig: new RoomConfiguration({
        agents: [new RoomAgentDispatch({ agentName: 'genesys-voice-agent', metadata: '{oops' })],
      }),
    }),
  );
  call = await placeGenesysCall(stack, {
    ...defaultGenesysCall,
    scenario: 'genesys-refer-unprompted.xml',
    dnis: UNREADABLE_NUMBER,
    conversationId: CNV,
    speech: '',
    trailingSilenceSeconds: 30,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('an agent job that cannot start its call', () => {
  it("hands the caller to the route's queue with reason agent_failure", () => {
    expect(call.sipp.failures).toEqual([]);
    expect(call.sipp.exitCode).toBe(0);
    expect(call.refer?.target).toBe('sip:+18005550150@127.0.0.1:5070');
    expect(call.refer?.uuiFields).toMatchObject({
      ai_reason: 'agent_failure',
      ai_route: 'main',
      ai_cnv: CNV,
    });
    expect(call.refer?.message.headers).toContainEqual(['X-AI-Transfer-Reason', 'agent_failure']);
  });

  it('says why in the agent log, and sends no replacement agent', () => {
    const rescued = readJsonLog(stack.runDir, 'agent.log').find(
      (l) => l.msg === 'call could not start; handing the caller to a person',
    );
    expect(rescued).toMatchObject({ route: 'main', caller: true });
    expect(String(rescued?.['problem'])).toMatch(/job metadata is not JSON/);
    const recovered = readJsonLog(stack.runDir, 'dispatch.log').filter(
      (l) => l.msg === 'agent left a call undecided; sending a new agent',
    );
    expect(recovered).toEqual([]);
  });
});
