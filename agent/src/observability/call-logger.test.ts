import { describe, expect, it } from 'vitest';
import { redactLogFields } from './call-logger.ts';

describe('redactLogFields', () => {
  it('masks caller numbers, transcripts, summaries and UUI values we log', () => {
    expect(
      redactLogFields({
        ani: '+15551234567',
        dnis: '+18005550100',
        transcript: 'my card is 4111 1111 1111 1111',
        summary: 'Caller 555 123 4567 wants a refund',
        uuiFields: { account: '12345', intent: 'billing' },
        xHeaders: { 'x-customer-tier': 'gold' },
        queue: 'billing',
      }),
    ).toEqual({
      ani: '+•••••••••67',
      dnis: '+18005550100',
      transcript: 'my card is [card]',
      summary: 'Caller [phone] wants a refund',
      uuiFields: { account: '[redacted]', intent: 'billing' },
      xHeaders: { 'x-customer-tier': 'gold' },
      queue: 'billing',
    });
  });

  it("masks the framework's lk.pii fields, whatever their shape", () => {
    expect(
      redactLogFields({
        'lk.pii.user_transcript': 'two zero four zero',
        'lk.pii.participant_identity': 'sip_+15551234567',
        'lk.pii.chat_ctx': { items: ['my pin is 2040'] },
        speech_id: 'speech_123',
      }),
    ).toEqual({
      'lk.pii.user_transcript': '[number]',
      'lk.pii.participant_identity': 'sip_[phone]',
      'lk.pii.chat_ctx': '[redacted]',
      speech_id: 'speech_123',
    });
  });
});
