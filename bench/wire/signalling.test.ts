import { describe, expect, it } from 'vitest';
import type { SipMessage } from './capture.ts';
import { callSignalling, referUri } from './signalling.ts';

const CALLER = 31000;
const BRIDGE = 29060;
function msg(
  timeMs: number,
  fromCaller: boolean,
  m: Partial<Pick<SipMessage, 'method' | 'status' | 'referTo' | 'callId'>> & { cseq: string },
): SipMessage {
  return {
    timeMs,
    srcPort: fromCaller ? CALLER : BRIDGE,
    dstPort: fromCaller ? BRIDGE : CALLER,
    callId: m.callId ?? 'a@x',
    method: m.method,
    status: m.status,
    cseqMethod: m.cseq,
    referTo: m.referTo,
  };
}

describe('a caller’s SIP dialog', () => {
  it('times the answer from the first INVITE, through a digest challenge, and finds the REFER and BYE', () => {
    const dialog = callSignalling(
      [
        msg(1000, true, { method: 'INVITE', cseq: 'INVITE' }),
        msg(1001, false, { status: 407, cseq: 'INVITE' }),
        msg(1003, true, { method: 'INVITE', cseq: 'INVITE' }),
        msg(1004, false, { status: 100, cseq: 'INVITE' }),
        msg(1004, false, { status: 180, cseq: 'INVITE' }),
        msg(1800, false, { status: 200, cseq: 'INVITE' }),
        msg(1850, false, { status: 200, cseq: 'INVITE' }), // retransmission
        msg(9000, false, { method: 'REFER', cseq: 'REFER', referTo: '<sip:+18005550150@genesys>' }),
        msg(9002, true, { status: 202, cseq: 'REFER' }),
        msg(10000, false, { method: 'BYE', cseq: 'BYE' }),
        msg(10001, true, { method: 'BYE', cseq: 'BYE', callId: 'other@x' }),
      ],
      CALLER,
    );
    expect(dialog).toMatchObject({
      callId: 'a@x',
      invitedAtMs: 1000,
      answeredAtMs: 1800,
      finalStatus: 200,
      referAtMs: 9000,
      referTarget: 'sip:+18005550150@genesys',
      bridgeByeAtMs: 10000,
      callerByeAtMs: undefined,
      cancelledAtMs: undefined,
    });
  });

  it('keeps the last final status when never answered, and the CANCEL', () => {
    const dialog = callSignalling(
      [
        msg(0, true, { method: 'INVITE', cseq: 'INVITE' }),
        msg(30000, true, { method: 'CANCEL', cseq: 'CANCEL' }),
        msg(30001, false, { status: 200, cseq: 'CANCEL' }),
        msg(30002, false, { status: 487, cseq: 'INVITE' }),
      ],
      CALLER,
    );
    expect(dialog).toMatchObject({
      answeredAtMs: undefined,
      finalStatus: 487,
      cancelledAtMs: 30000,
    });
  });

  it('finds nothing for a port that sent no INVITE', () => {
    expect(callSignalling([msg(0, false, { method: 'OPTIONS', cseq: 'OPTIONS' })], CALLER)).toBe(
      undefined,
    );
  });

  it('reads the URI of a Refer-To header', () => {
    expect(referUri('<sip:q@h?User-to-User=04ab%3Bencoding%3Dhex>;p=1')).toBe(
      'sip:q@h?User-to-User=04ab%3Bencoding%3Dhex',
    );
    expect(referUri(' sip:q@h ')).toBe('sip:q@h');
  });
});
