import { describe, expect, it } from 'vitest';
import type { SipMessage } from './capture.ts';
import { buildReferTo } from '../../contracts/genesys-uui.ts';
import { callSignalling, referReason, referUri } from './signalling.ts';

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

describe('the reason a REFER carries', () => {
  const target = 'sip:+18005550150@127.0.0.1:5070';
  const uuiOptions = { protocolDiscriminator: 0x04 };

  it('reads ai_reason from the UUI dispatch and the agent embed, with or without a protocol discriminator', () => {
    const withPd = buildReferTo(
      target,
      { ai_reason: 'no_agent', ai_route: 'bench' },
      'hex',
      128,
      uuiOptions,
    );
    const plain = buildReferTo(target, { ai_reason: 'dtmf_zero' }, 'hex', 128);
    expect(referReason(withPd.uri)).toBe('no_agent');
    expect(referReason(plain.uri)).toBe('dtmf_zero');
  });

  it('is undefined without a UUI, without the field, or with UUI it cannot decode', () => {
    expect(referReason(target)).toBeUndefined();
    expect(
      referReason(buildReferTo(target, { ai_route: 'bench' }, 'hex', 128).uri),
    ).toBeUndefined();
    expect(referReason(`${target}?User-to-User=zz%3Bencoding%3Dhex`)).toBeUndefined();
    expect(referReason(`${target}?User-to-User=%E0%A4%A`)).toBeUndefined();
  });
});
