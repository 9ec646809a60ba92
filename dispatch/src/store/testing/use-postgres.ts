/**
 * Vitest wiring for {@link startPostgres}: one cluster per test file. When
 * PostgreSQL cannot start (binaries missing...), every test that asks for a
 * database fails with the reason: never a silent skip.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from './postgres.ts';

/**
 * Registers the cluster's start and stop hooks; returns a function that
 * creates a new, empty database and resolves with its URL.
 *
 * @example
 * const newPostgresUrl = usePostgres();
 * it('...', async () => { const store = await openPostgresStore(await newPostgresUrl()); });
 */
export function usePostgres(): () => Promise<string> {
  let cluster: PostgresCluster | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      cluster = await startPostgres();
    } catch (err) {
      failure = err;
    }
  }, 60_000);
  afterAll(() => cluster?.stop());
  return async () => {
    if (!cluster) throw failure ?? new Error('the PostgreSQL test cluster did not start');
    return cluster.createDatabase();
  };
}
