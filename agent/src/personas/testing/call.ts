/**
 * A realistic Genesys call for persona tests, read from the participant
 * attributes livekit-sip sets for an inbound Genesys BYOC call.
 */
import { callContextFromAttributes, type CallContext } from '../../../../contracts/call-context.ts';

const CONVERSATION_ID = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

/** Attributes of a typical inbound Genesys call; its UUI names an account but is not verified. */
export const TEST_CALL_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  'sip.callID': 'SCL_GNBfCBAqNFvy',
  'sip.callStatus': 'active',
  'sip.phoneNumber': '+15559876543',
  'sip.trunkPhoneNumber': '+18005550100',
  'sip.trunkID': 'ST_4xQ9m2LhRkTz',
  'sip.ruleID': 'SDR_pKq8u3VbNc2e',
  'sip.pAssertedIdentity': '<sip:+15551234567@10.0.0.1>',
  'genesys.conversationId': CONVERSATION_ID,
  'genesys.uui': 'account=100042;encoding=ascii',
  'sip.h.x-inin-cnv': CONVERSATION_ID,
  'sip.h.x-customer-tier': 'gold',
});

/**
 * A frozen call context as the call runner builds it, with fields replaced
 * by `overrides`.
 *
 * @example
 * const call = testCall({ ani: '+15550001111' });
 * call.conversationId; // '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6'
 * // A caller the IVR authenticated (decodeUui from contracts/genesys-uui.ts):
 * testCall({ uui: decodeUui('account=100042;name=Jane;verified=true;encoding=ascii') });
 */
export function testCall(overrides: Partial<CallContext> = {}): CallContext {
  return Object.freeze({ ...callContextFromAttributes(TEST_CALL_ATTRIBUTES), ...overrides });
}
