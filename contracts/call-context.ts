/**
 * The Genesys call as the agent sees it: built once from the SIP participant's
 * attributes (set by livekit-sip from the INVITE) and frozen. Dispatch reads a
 * caller it hands over after repeated agent failures with the same parser, so
 * both services agree on ANI, conversation id and UUI.
 */
import { headerAttributes, sipAttributes } from './sip-attributes.ts';
import { readConversationId, type ConversationIdProblem } from './conversation-id.ts';
import { decodeUui, UuiError, type Uui, type UuiOptions } from './genesys-uui.ts';

export type CallContext = Readonly<{
  /** Caller number: P-Asserted-Identity when present, else From. */
  ani: string;
  /** Called number (the To user part). */
  dnis: string;
  /** Genesys conversation id from `x-inin-cnv`, when Genesys sent one (contracts/conversation-id.ts). */
  conversationId: string | undefined;
  /** Set when the conversation id was not a UUID (kept anyway, escaped). */
  conversationIdProblem: ConversationIdProblem | undefined;
  /** SIP Call-ID of the leg between Genesys and livekit-sip. */
  sipCallId: string;
  trunkId: string | undefined;
  /** Decoded UUI, from User-to-User or X-User-to-User. */
  uui: Uui | undefined;
  /** Why a UUI header was present but unusable. */
  uuiProblem: string | undefined;
  /** Every `X-` header Genesys sent, lower-cased names. */
  xHeaders: Readonly<Record<string, string>>;
}>;

/** The participant is not a SIP call, or lacks what every SIP call has. */
export class CallContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallContextError';
  }
}

/**
 * Reads a call context from SIP participant attributes. Unusable optional
 * context (bad UUI, malformed conversation id) is dropped with a reason, never
 * fatal: a caller with odd headers still gets answered.
 *
 * @example
 * const call = callContextFromAttributes(participant.attributes);
 * call.conversationId; // '6f1c0f3a-...'
 */
export function callContextFromAttributes(
  attrs: Readonly<Record<string, string>>,
  uuiOptions: UuiOptions = {},
): CallContext {
  const sipCallId = attrs[sipAttributes.callId];
  const from = attrs[sipAttributes.from] ?? identityNumber(attrs[headerAttributes.From]);
  const to = attrs[sipAttributes.to] ?? identityNumber(attrs[headerAttributes.To]);
  if (!sipCallId)
    throw new CallContextError(`participant has no ${sipAttributes.callId} attribute`);
  if (from === undefined || to === undefined) {
    throw new CallContextError('participant has no caller or called number');
  }

  const pai = attrs[headerAttributes['P-Asserted-Identity']];
  const ani = (pai && numberFromIdentity(pai)) || from;

  const conversation = readConversationId(attrs[headerAttributes['x-inin-cnv']]);

  let uui: Uui | undefined;
  let uuiProblem: string | undefined;
  const uuiHeader =
    attrs[headerAttributes['User-to-User']] || attrs[headerAttributes['X-User-to-User']];
  if (uuiHeader) {
    try {
      uui = decodeUui(uuiHeader, uuiOptions);
    } catch (err) {
      if (!(err instanceof UuiError)) throw err;
      uuiProblem = err.code;
    }
  }

  const xHeaders: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(sipAttributes.headerPrefix)) continue;
    const header = key.slice(sipAttributes.headerPrefix.length).toLowerCase();
    if (header.startsWith('x-')) xHeaders[header] = value;
  }

  return Object.freeze({
    ani,
    dnis: to,
    conversationId: conversation.id,
    conversationIdProblem: conversation.problem,
    sipCallId,
    trunkId: attrs[sipAttributes.trunkId],
    uui,
    uuiProblem,
    xHeaders: Object.freeze(xHeaders),
  });
}

function identityNumber(header: string | undefined): string | undefined {
  return header === undefined ? undefined : numberFromIdentity(header);
}

/** `"Name" <sip:+1555@host>;party=calling` → `+1555`; `tel:+1555` → `+1555`. */
export function numberFromIdentity(identity: string): string | undefined {
  const m = /<?(?:sips?|tel):([^@;>]+)/i.exec(identity);
  const user = m?.[1]?.trim();
  return user && /^\+?[0-9*#]+$/.test(user) ? user : undefined;
}

/** A call with no caller data: what a greeting says when it is not personal. */
export const ANONYMOUS_CALL: CallContext = Object.freeze({
  ani: '',
  dnis: '',
  conversationId: undefined,
  conversationIdProblem: undefined,
  sipCallId: '',
  trunkId: undefined,
  uui: undefined,
  uuiProblem: undefined,
  xHeaders: Object.freeze({}),
});
