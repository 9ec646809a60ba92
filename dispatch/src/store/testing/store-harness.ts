/**
 * What the store contract's suites share: how they get a database, the fixed
 * clock they read times against, and a migrated store on a new database.
 */
import { openStore, type DatabaseTarget } from '../open.ts';
import type { Store } from '../store.ts';

export type StoreHarness = Readonly<{
  /** A new, empty database (each call another one). */
  newDatabase(): Promise<DatabaseTarget>;
}>;

/** The contract's clock: every time it passes to the store is relative to this. */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const at = (ms: number): Date => new Date(T0 + ms);

export type StoreHelpers = Readonly<{
  /** Opens a migrated store on a new database, with the target to reopen it. */
  fresh(): Promise<{ store: Store; target: DatabaseTarget }>;
  /** Runs `fn` with a fresh store and closes it afterwards. */
  withStore<T>(fn: (store: Store, target: DatabaseTarget) => Promise<T>): Promise<T>;
}>;

/**
 * @example
 * const { withStore } = storeHelpers(harness);
 * it('…', () => withStore(async (store) => { … }));
 */
export function storeHelpers(harness: StoreHarness): StoreHelpers {
  const fresh = async () => {
    const target = await harness.newDatabase();
    return { store: await openStore(target), target };
  };
  return {
    fresh,
    withStore: async (fn) => {
      const { store, target } = await fresh();
      try {
        return await fn(store, target);
      } finally {
        await store.close();
      }
    },
  };
}
