/** The store contract: callbacks and context records (see store-contract.ts). */
import { describe, expect, it } from 'vitest';
import { CONVERSATION_ID } from '../../testing/call-record.ts';
import type { StoreHelpers } from './store-harness.ts';

/** Declares the callbacks and context records suite for one database. */
export function describeCallbacks({ withStore }: StoreHelpers): void {
  describe('callbacks and context records', () => {
    it('stores a callback and reads it back, notes or not', () =>
      withStore(async (store) => {
        const cb = await store.createCallback({
          number: '+15551234567',
          issueType: 'billing',
          notes: undefined,
          route: 'main',
          persona: 'after-hours',
          genesysConversationId: undefined,
          sipCallId: 'SCL_abc',
        });
        expect(cb).toMatchObject({ status: 'pending', number: '+15551234567' });
        expect(await store.getCallback(cb.id)).toEqual(cb);
        expect(await store.getCallback('nope')).toBeUndefined();
      }));

    it('stores a context record and reads it back', () =>
      withStore(async (store) => {
        const record = await store.createContext({
          reason: 'dtmf_zero',
          queue: 'general',
          route: 'main',
          persona: 'triage',
          fields: { intent: 'billing' },
          transcript: [{ role: 'caller', text: 'hello' }],
          genesysConversationId: CONVERSATION_ID,
        });
        expect(await store.getContext(record.id)).toEqual(record);
        expect(await store.getContext('nope')).toBeUndefined();
      }));
  });
}
