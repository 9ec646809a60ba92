import { describe, expect, it } from 'vitest';
import { callContextFromAttributes, CallContextError, numberFromIdentity } from './call-context.ts';
import { conversationIdSchema } from './conversation-id.ts';

const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex');
const CONVERSATION_ID = '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';

/** Attributes as livekit-sip sets them for an inbound Genesys BYOC call. */
function genesysAttributes(): Record<string, string> {
  return {
    'sip.callID': 'SCL_GNBfCBAqNFvy',
    'sip.callIDFull': '1-11812@127.0.0.1',
    'sip.callTag': '11812SIPpTag001',
    'sip.callStatus': 'active',
    'sip.phoneNumber': '+15559876543',
    'sip.trunkPhoneNumber': '+18005550100',
    'sip.hostname': '127.0.0.1',
    'sip.trunkID': 'ST_4xQ9m2LhRkTz',
    'sip.ruleID': 'SDR_pKq8u3VbNc2e',
    'genesys.conversationId': CONVERSATION_ID,
    'genesys.uui': `${hex('account=42;intent=billing')};encoding=hex`,
    'sip.pAssertedIdentity': '<sip:+15551234567@10.0.0.1>',
    'sip.h.x-customer-tier': 'gold',
    'sip.h.x-inin-cnv': CONVERSATION_ID,
    'sip.h.user-agent': 'Genesys Cloud Edge',
    'sip.h.p-asserted-identity': '<sip:+15551234567@10.0.0.1>',
    'lk.agent.state': 'listening',
  };
}

function contextError(attrs: Record<string, string>): CallContextError {
  try {
    callContextFromAttributes(attrs);
  } catch (err) {
    if (err instanceof CallContextError) return err;
    throw err;
  }
  throw new Error('expected a CallContextError');
}

describe('callContextFromAttributes', () => {
  it('reads a full Genesys call', () => {
    expect(callContextFromAttributes(genesysAttributes())).toEqual({
      ani: '+15551234567',
      dnis: '+18005550100',
      conversationId: CONVERSATION_ID,
      sipCallId: 'SCL_GNBfCBAqNFvy',
      trunkId: 'ST_4xQ9m2LhRkTz',
      uui: {
        text: 'account=42;intent=billing',
        encoding: 'hex',
        fields: { account: '42', intent: 'billing' },
      },
      uuiProblem: undefined,
      xHeaders: { 'x-customer-tier': 'gold', 'x-inin-cnv': CONVERSATION_ID },
    });
  });

  it('reads ANI and DNIS from the mapped From and To headers when the rule hides phone numbers', () => {
    const attrs = genesysAttributes();
    delete attrs['sip.phoneNumber'];
    delete attrs['sip.trunkPhoneNumber'];
    delete attrs['sip.pAssertedIdentity'];
    attrs['genesys.from'] = '<sip:+15559876543@10.0.0.1>;tag=1234';
    attrs['genesys.to'] = '<sip:+18005550100@bridge.example>';
    const call = callContextFromAttributes(attrs);
    expect([call.ani, call.dnis]).toEqual(['+15559876543', '+18005550100']);
  });

  it('prefers the P-Asserted-Identity number over From for the ANI', () => {
    const attrs = genesysAttributes();
    attrs['sip.pAssertedIdentity'] = '"Jane Doe" <tel:+15551230000>';
    expect(callContextFromAttributes(attrs).ani).toBe('+15551230000');
  });

  it('uses From when there is no P-Asserted-Identity', () => {
    const attrs = genesysAttributes();
    delete attrs['sip.pAssertedIdentity'];
    expect(callContextFromAttributes(attrs).ani).toBe('+15559876543');
  });

  it('uses From when the P-Asserted-Identity has no number', () => {
    const attrs = genesysAttributes();
    attrs['sip.pAssertedIdentity'] = '"Anonymous" <sip:anonymous@anonymous.invalid>';
    expect(callContextFromAttributes(attrs).ani).toBe('+15559876543');
    attrs['sip.pAssertedIdentity'] = '';
    expect(callContextFromAttributes(attrs).ani).toBe('+15559876543');
  });

  it('lower-cases and trims the conversation id', () => {
    const attrs = genesysAttributes();
    attrs['genesys.conversationId'] = ` ${CONVERSATION_ID.toUpperCase()} `;
    expect(callContextFromAttributes(attrs).conversationId).toBe(CONVERSATION_ID);
  });

  it.each([
    ['not-a-conversation', 'not-a-conversation'],
    ['6f1c0f3a1b2c4d5e8f90a1b2c3d4e5f6', '6f1c0f3a1b2c4d5e8f90a1b2c3d4e5f6'],
    [`${CONVERSATION_ID};x=1`, `${CONVERSATION_ID};x=1`],
    ['cnv 42 ünï %', 'cnv%2042%20%C3%BCn%C3%AF%20%25'],
  ])('keeps the conversation id %j that is not a UUID as %j, flagged', (cnv, kept) => {
    const attrs = genesysAttributes();
    attrs['genesys.conversationId'] = cnv;
    const call = callContextFromAttributes(attrs);
    expect(call.conversationId).toBe(kept);
    expect(call.conversationIdProblem).toBe('not_uuid');
    expect(call.ani).toBe('+15551234567');
  });

  it('keeps a UUID lower-cased and unflagged, and clips a huge id without splitting an escape', () => {
    const attrs = genesysAttributes();
    attrs['genesys.conversationId'] = ` ${CONVERSATION_ID.toUpperCase()} `;
    expect(callContextFromAttributes(attrs)).toMatchObject({
      conversationId: CONVERSATION_ID,
      conversationIdProblem: undefined,
    });
    attrs['genesys.conversationId'] = `${'a'.repeat(198)}é${'b'.repeat(5000)}`;
    const huge = callContextFromAttributes(attrs).conversationId ?? '';
    expect(huge).toBe(`${'a'.repeat(198)}`);
    expect(conversationIdSchema.safeParse(huge).success).toBe(true);
  });

  it('has no conversation id when Genesys sent an empty one', () => {
    const attrs = genesysAttributes();
    attrs['genesys.conversationId'] = '  ';
    expect(callContextFromAttributes(attrs)).toMatchObject({
      conversationId: undefined,
      conversationIdProblem: undefined,
    });
  });

  it('has no conversation id when Genesys sent none', () => {
    const attrs = genesysAttributes();
    delete attrs['genesys.conversationId'];
    expect(callContextFromAttributes(attrs).conversationId).toBeUndefined();
  });

  it('reports an undecodable UUI as uuiProblem instead of throwing', () => {
    const attrs = genesysAttributes();
    attrs['genesys.uui'] = '6163636f756e743d343;encoding=hex';
    const call = callContextFromAttributes(attrs);
    expect(call.uui).toBeUndefined();
    expect(call.uuiProblem).toBe('bad_hex');
    expect(call.dnis).toBe('+18005550100');
  });

  it('reports an unknown UUI encoding as uuiProblem', () => {
    const attrs = genesysAttributes();
    attrs['genesys.uui'] = 'YWNjb3VudD00Mg==;encoding=base64';
    const call = callContextFromAttributes(attrs);
    expect(call.uui).toBeUndefined();
    expect(call.uuiProblem).toBe('unknown_encoding');
  });

  it('falls back to X-User-to-User when User-to-User is absent', () => {
    const attrs = genesysAttributes();
    delete attrs['genesys.uui'];
    attrs['genesys.xUui'] = 'account=7;encoding=ascii';
    const call = callContextFromAttributes(attrs);
    expect(call.uui).toEqual({ text: 'account=7', encoding: 'ascii', fields: { account: '7' } });
    expect(call.uuiProblem).toBeUndefined();
  });

  it('has neither uui nor a problem when no UUI header was sent', () => {
    const attrs = genesysAttributes();
    delete attrs['genesys.uui'];
    const call = callContextFromAttributes(attrs);
    expect(call.uui).toBeUndefined();
    expect(call.uuiProblem).toBeUndefined();
  });

  it('collects only X- headers, with lower-cased names', () => {
    const attrs = genesysAttributes();
    attrs['sip.h.X-Genesys-Edge'] = 'edge-1';
    attrs['sip.h.xylophone'] = 'not an x- header';
    attrs['x-not-a-sip-header'] = 'ignored';
    expect(callContextFromAttributes(attrs).xHeaders).toEqual({
      'x-customer-tier': 'gold',
      'x-inin-cnv': CONVERSATION_ID,
      'x-genesys-edge': 'edge-1',
    });
  });

  it('leaves trunkId undefined when the attribute is missing', () => {
    const attrs = genesysAttributes();
    delete attrs['sip.trunkID'];
    expect(callContextFromAttributes(attrs).trunkId).toBeUndefined();
  });

  it('accepts a minimal SIP participant', () => {
    expect(
      callContextFromAttributes({
        'sip.callID': 'SCL_1',
        'sip.phoneNumber': '+15559876543',
        'sip.trunkPhoneNumber': '+18005550100',
      }),
    ).toEqual({
      ani: '+15559876543',
      dnis: '+18005550100',
      conversationId: undefined,
      sipCallId: 'SCL_1',
      trunkId: undefined,
      uui: undefined,
      uuiProblem: undefined,
      xHeaders: {},
    });
  });

  it.each([['sip.callID'], ['sip.phoneNumber'], ['sip.trunkPhoneNumber']])(
    'throws CallContextError without %s',
    (attribute) => {
      const attrs = genesysAttributes();
      delete attrs[attribute];
      const err = contextError(attrs);
      expect(err.name).toBe('CallContextError');
      expect(err.message).toMatch(
        attribute === 'sip.callID' ? /sip\.callID/ : /no caller or called number/,
      );
    },
  );

  it('throws CallContextError for an empty call id', () => {
    const attrs = genesysAttributes();
    attrs['sip.callID'] = '';
    expect(contextError(attrs).message).toBe('participant has no sip.callID attribute');
  });

  it('throws CallContextError for a participant that is not a SIP call', () => {
    expect(contextError({ 'lk.agent.state': 'listening' }).message).toBe(
      'participant has no sip.callID attribute',
    );
  });

  it('returns a frozen context with frozen xHeaders and uui', () => {
    const call = callContextFromAttributes(genesysAttributes());
    expect(Object.isFrozen(call)).toBe(true);
    expect(Object.isFrozen(call.xHeaders)).toBe(true);
    expect(Object.isFrozen(call.uui)).toBe(true);
  });
});

describe('numberFromIdentity', () => {
  it.each([
    ['<sip:+15551234567@10.0.0.1>', '+15551234567'],
    ['"Jane" <tel:+15551234567>', '+15551234567'],
    ['"Jane Doe" <sip:+15551234567@10.0.0.1>;party=calling;screen=yes', '+15551234567'],
    ['sip:+15551234567@edge.genesys.example;user=phone', '+15551234567'],
    ['<sip:+15551234567;npdi@10.0.0.1>', '+15551234567'],
    ['tel:+15551234567;cpc=ordinary', '+15551234567'],
    ['<sips:5551234@byoc.example:5061>', '5551234'],
    ['<SIP:+15551234567@10.0.0.1>', '+15551234567'],
    ['<sip:*86@10.0.0.1>', '*86'],
  ])('reads %j as %j', (identity, number) => {
    expect(numberFromIdentity(identity)).toBe(number);
  });

  it.each([
    ['<sip:anonymous@anonymous.invalid>'],
    ['<sip:edge.genesys.example>'],
    ['"Jane" <sip:jane.doe@example.com>'],
    ['+15551234567'],
    ['<mailto:jane@example.com>'],
    [''],
  ])('finds no number in %j', (identity) => {
    expect(numberFromIdentity(identity)).toBeUndefined();
  });
});
