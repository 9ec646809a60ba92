/**
 * The store's behaviour, written once and run against every database
 * (sqlite.test.ts, postgres.test.ts): whatever DATABASE_URL picks, dispatch
 * behaves the same. One suite per concern, each in its own file.
 */
import { describe } from 'vitest';
import { describeCallRecords } from './call-records-contract.ts';
import { describeCallbacks } from './callbacks-contract.ts';
import { describeMigrations } from './migrations-contract.ts';
import { describeOutbox } from './outbox-contract.ts';
import { storeHelpers, type StoreHarness } from './store-harness.ts';
import { describeWorkerLeases } from './worker-leases-contract.ts';

export type { StoreHarness } from './store-harness.ts';

/**
 * Declares the store contract suite for one database.
 *
 * @example
 * describeStoreContract('sqlite', { newDatabase: async () => ({ kind: 'sqlite', path }) });
 */
export function describeStoreContract(name: string, harness: StoreHarness): void {
  const helpers = storeHelpers(harness);
  describe(`store contract: ${name}`, () => {
    describeMigrations(harness);
    describeCallbacks(helpers);
    describeCallRecords(harness, helpers);
    describeOutbox(helpers);
    describeWorkerLeases(helpers);
  });
}
