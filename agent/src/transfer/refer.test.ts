import { ServerError, SipCallError } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { decodeUui, UuiError } from '../../../contracts/genesys-uui.ts';
import { buildReferTo } from '../../../contracts/genesys-uui.ts';
import { classifyTransferError } from './refer.ts';

const TARGET = 'sip:+18005550150@byoc.example';

/** The UUI fields carried by a Refer-To URI built by buildReferTo. */
function uuiFieldsOf(uri: string): Readonly<Record<string, string>> {
  const [, embedded] = uri.split(/[?&]User-to-User=/);
  if (embedded === undefined) throw new Error(`no UUI in ${uri}`);
  return decodeUui(decodeURIComponent(embedded)).fields;
}

/** An error shaped like livekit-server-sdk's SipCallError / ServerError. */
function sdkError(
  message: string,
  extra: { sipStatusCode?: number; status?: number; code?: string } = {},
): Error {
  return Object.assign(new Error(message), { name: 'SipCallError', ...extra });
}

describe('buildReferTo', () => {
  it('builds the documented example exactly', () => {
    expect(
      buildReferTo('sip:+18005550199@gen.example', { reason: 'dtmf_zero' }, 'hex', 128),
    ).toEqual({
      uri: 'sip:+18005550199@gen.example?User-to-User=726561736f6e3d64746d665f7a65726f%3Bencoding%3Dhex',
      droppedFields: [],
    });
  });

  it('embeds UUI that decodes back to the fields', () => {
    const fields = {
      reason: 'caller_request',
      conversationId: '6f1c0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
      persona: 'triage',
    };
    const { uri, droppedFields } = buildReferTo(TARGET, fields, 'hex', 128);
    expect(uri.startsWith(`${TARGET}?User-to-User=`)).toBe(true);
    expect(uri).toMatch(/%3Bencoding%3Dhex$/);
    expect(uuiFieldsOf(uri)).toEqual(fields);
    expect(droppedFields).toEqual([]);
  });

  it('embeds ascii UUI when asked', () => {
    const { uri } = buildReferTo(TARGET, { reason: 'dtmf_zero' }, 'ascii', 128);
    expect(uri).toBe(`${TARGET}?User-to-User=%22reason%3Ddtmf_zero%22%3Bencoding%3Dascii`);
    expect(uuiFieldsOf(uri)).toEqual({ reason: 'dtmf_zero' });
  });

  it('keeps every field when the payload is exactly maxBytes', () => {
    const fields = { reason: 'dtmf_zero', account: '42' };
    const bytes = 'reason=dtmf_zero;account=42'.length;
    const { uri, droppedFields } = buildReferTo(TARGET, fields, 'hex', bytes);
    expect(droppedFields).toEqual([]);
    expect(uuiFieldsOf(uri)).toEqual(fields);
  });

  it('drops fields from the end until the UUI fits, in their original order', () => {
    const fields = {
      reason: 'dtmf_zero',
      account: '42',
      summary: 's'.repeat(60),
      notes: 'n'.repeat(60),
    };
    const maxBytes = 'reason=dtmf_zero;account=42'.length + 5;
    const { uri, droppedFields } = buildReferTo(TARGET, fields, 'hex', maxBytes);
    expect(droppedFields).toEqual(['summary', 'notes']);
    expect(uuiFieldsOf(uri)).toEqual({ reason: 'dtmf_zero', account: '42' });
  });

  it('drops one byte over the limit', () => {
    const fields = { reason: 'dtmf_zero', account: '42' };
    const bytes = 'reason=dtmf_zero;account=42'.length;
    const { uri, droppedFields } = buildReferTo(TARGET, fields, 'hex', bytes - 1);
    expect(droppedFields).toEqual(['account']);
    expect(uuiFieldsOf(uri)).toEqual({ reason: 'dtmf_zero' });
  });

  it('sends the bare target when not even the first field fits', () => {
    expect(buildReferTo(TARGET, { summary: 'x'.repeat(200), reason: 'a' }, 'hex', 128)).toEqual({
      uri: TARGET,
      droppedFields: ['summary', 'reason'],
    });
  });

  it('sends the bare target when there are no fields', () => {
    expect(buildReferTo(TARGET, {}, 'hex', 128)).toEqual({ uri: TARGET, droppedFields: [] });
  });

  it('appends to existing embedded headers with &', () => {
    const { uri } = buildReferTo(`${TARGET}?X-Queue=general`, { reason: 'dtmf_zero' }, 'hex', 128);
    expect(uri).toMatch(/^sip:\+18005550150@byoc\.example\?X-Queue=general&User-to-User=/);
    expect(uuiFieldsOf(uri)).toEqual({ reason: 'dtmf_zero' });
  });

  it('puts no UUI on a tel: target and reports every field dropped', () => {
    expect(
      buildReferTo('tel:+18005550150', { reason: 'dtmf_zero', account: '42' }, 'hex', 128),
    ).toEqual({ uri: 'tel:+18005550150', droppedFields: ['reason', 'account'] });
  });

  it('refuses fields with separators instead of dropping them', () => {
    let thrown: unknown;
    try {
      buildReferTo(TARGET, { reason: 'dtmf_zero', summary: 'a;b' }, 'hex', 128);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UuiError);
    expect((thrown as UuiError).code).toBe('bad_field');
  });
});

describe('classifyTransferError', () => {
  it('classifies a NOTIFY failure ("call transfer failed") as failed with the SIP status', () => {
    const message = 'call transfer failed: sip status 603: Decline';
    expect(
      classifyTransferError(
        sdkError(message, { sipStatusCode: 603, status: 400, code: 'invalid_argument' }),
      ),
    ).toEqual({ status: 'failed', sipStatus: 603, message });
  });

  it('classifies "call transfer failed" without a SIP status as failed', () => {
    const message = 'Call transfer failed: remote hung up';
    expect(classifyTransferError(sdkError(message, { status: 500, code: 'internal' }))).toEqual({
      status: 'failed',
      sipStatus: undefined,
      message,
    });
    expect(classifyTransferError(sdkError(message, { sipStatusCode: 0 }))).toEqual({
      status: 'failed',
      sipStatus: undefined,
      message,
    });
  });

  it('classifies "refer canceled" as timed_out', () => {
    expect(
      classifyTransferError(sdkError('refer canceled', { status: 408, code: 'canceled' })),
    ).toEqual({ status: 'timed_out', message: 'refer canceled' });
  });

  it('classifies the real SDK error for "refer canceled" as timed_out', () => {
    const err = new ServerError('Request Timeout', 'refer canceled', 408, 'canceled');
    expect(classifyTransferError(err)).toEqual({ status: 'timed_out', message: 'refer canceled' });
  });

  it.each([
    ['context deadline exceeded', undefined],
    ['twirp error', 'deadline_exceeded'],
  ])('classifies %j (code %j) as timed_out', (message, code) => {
    const err = code === undefined ? sdkError(message) : sdkError(message, { code });
    expect(classifyTransferError(err)).toEqual({ status: 'timed_out', message });
  });

  it('classifies the client giving up waiting (AbortSignal timeout) as timed_out', () => {
    // What fetch rejects with when AbortSignal.timeout fires.
    const err = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyTransferError(err)).toMatchObject({ status: 'timed_out' });
  });

  it('classifies an unreachable server as error, not a timeout', () => {
    expect(classifyTransferError(new Error('connect ETIMEDOUT 10.0.0.1:7880'))).toMatchObject({
      status: 'error',
    });
  });

  it('classifies a SIP refusal of the REFER itself as refused', () => {
    const message = 'sip status 486: Busy Here';
    expect(
      classifyTransferError(
        sdkError(message, { sipStatusCode: 486, status: 400, code: 'invalid_argument' }),
      ),
    ).toEqual({ status: 'refused', sipStatus: 486, message });
  });

  it('classifies the real SDK SipCallError for a 486 REFER response as refused', () => {
    const err = new SipCallError(
      'Bad Request',
      'sip status 486: Busy Here',
      400,
      'invalid_argument',
      {
        sip_status_code: '486',
        sip_status: 'Busy Here',
      },
    );
    expect(classifyTransferError(err)).toEqual({
      status: 'refused',
      sipStatus: 486,
      message: 'SIP call failed: 486 Busy Here (invalid_argument)',
    });
  });

  it('does not call a provisional status a refusal', () => {
    expect(classifyTransferError(sdkError('odd', { sipStatusCode: 180 }))).toEqual({
      status: 'error',
      message: 'odd',
    });
  });

  it('classifies a plain network error as error', () => {
    const err = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    expect(classifyTransferError(err)).toEqual({ status: 'error', message: 'fetch failed' });
  });

  it('classifies a server error without SIP status as error', () => {
    expect(
      classifyTransferError(
        new ServerError('Not Found', 'participant not found', 404, 'not_found'),
      ),
    ).toEqual({ status: 'error', message: 'participant not found' });
  });

  it('handles a thrown non-Error', () => {
    expect(classifyTransferError('boom')).toEqual({ status: 'error', message: 'boom' });
  });
});

describe('classifyTransferError with what livekit-server really returns', () => {
  // error_details as livekit-server sent them in the blind-transfer stack test.
  const details = (text: string) =>
    Buffer.concat([Buffer.from([0x08, 0x08, 0x12, text.length]), Buffer.from(text)]).toString(
      'base64',
    );

  it('tells a failed NOTIFY from a refused REFER by the original text in error_details', () => {
    const notifyFailed = new SipCallError('ResourceExhausted', 'x', 429, 'resource_exhausted', {
      error_details: details('call transfer failed: sip status: 486: Busy Here'),
      sip_status: 'Busy Here',
      sip_status_code: '486',
    });
    const refused = new SipCallError('PermissionDenied', 'x', 403, 'permission_denied', {
      error_details: details('sip status: 603: Decline'),
      sip_status: 'Decline',
      sip_status_code: '603',
    });
    expect(classifyTransferError(notifyFailed)).toMatchObject({ status: 'failed', sipStatus: 486 });
    expect(classifyTransferError(refused)).toMatchObject({ status: 'refused', sipStatus: 603 });
  });

  it('reports a lost REFER transaction as unconfirmed, never as safe to retry', () => {
    const lost = new Error(
      'twirp error unknown: transaction failed to complete (0 intermediate responses)',
    );
    expect(classifyTransferError(lost)).toMatchObject({ status: 'unconfirmed' });
  });
});
