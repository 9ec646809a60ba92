/**
 * The call record's way out at the end of the job: to dispatch, or to the
 * worker's spool while dispatch is down (the worker redelivers it).
 */
import { newCallRecordSchema, type NewCallRecord } from '../../../contracts/call-record.ts';
import type { DispatchSpool } from '../dispatch-spool.ts';
import type { CallLogger } from '../observability/call-logger.ts';

/**
 * Never rejects: a record that cannot be stored or spooled is logged as lost.
 *
 * @example
 * await storeCallRecord(spool, recorder.finish('transferred'), log);
 */
export async function storeCallRecord(
  spool: Pick<DispatchSpool, 'send'>,
  record: NewCallRecord,
  log: CallLogger,
): Promise<void> {
  try {
    const sent = await spool.send('/v1/calls/records', newCallRecordSchema.parse(record));
    log.info({ ...sent }, 'call record stored');
  } catch (err) {
    log.error({ error: (err as Error).message }, 'call record lost');
  }
}
