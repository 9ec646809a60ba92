/**
 * The SIP headers the inbound trunk copies into participant attributes, and
 * the attribute names livekit-sip sets itself. Dispatch configures the trunk
 * with {@link headerAttributes}; the agent reads the same names.
 */
export const headerAttributes = {
  'x-inin-cnv': 'genesys.conversationId',
  'User-to-User': 'genesys.uui',
  'X-User-to-User': 'genesys.xUui',
  'P-Asserted-Identity': 'sip.pAssertedIdentity',
  // Dispatch rules hide phone numbers (no sip.phoneNumber / sip.trunkPhoneNumber
  // attributes): the agent takes ANI and DNIS from these instead.
  From: 'genesys.from',
  To: 'genesys.to',
} as const;

export const sipAttributes = {
  callId: 'sip.callID',
  trunkId: 'sip.trunkID',
  ruleId: 'sip.ruleID',
  /** Absent when the dispatch rule hides phone numbers (ours do). */
  from: 'sip.phoneNumber',
  /** Absent when the dispatch rule hides phone numbers (ours do). */
  to: 'sip.trunkPhoneNumber',
  callStatus: 'sip.callStatus',
  /** Prefix of headers included with includeHeaders (lower-cased names). */
  headerPrefix: 'sip.h.',
} as const;

/** Marks LiveKit SIP objects that dispatch owns and may update or delete. */
export const OWNER_TAG = 'genesys-voice-agents/dispatch';
