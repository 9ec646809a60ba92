/**
 * Call records and their webhook outbox, on any {@link SqlDatabase}. A record
 * and its outbox rows are written in one transaction, so a stored record is
 * never without its deliveries, nor a delivery without its record.
 */
import { randomUUID } from 'node:crypto';
import { deepFreeze } from '../../../contracts/freeze.ts';
import { placeholders, type SqlDatabase } from './sql.ts';
import type {
  CallRecord,
  ClaimedDelivery,
  CreateCallRecordResult,
  DeliveryClaim,
  DeliveryOutcome,
  NewCall,
  Store,
  WebhookDelivery,
} from './store.ts';

type RecordRow = { id: string; created_at: string; body: string };

type OutboxRow = {
  id: string;
  call_record_id: string;
  webhook: string;
  status: WebhookDelivery['status'];
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_error: string | null;
  delivered_at: string | null;
};

type ClaimRow = {
  id: string;
  webhook: string;
  attempts: number;
  next_attempt_at: string;
  record_id: string;
  record_created_at: string;
  body: string;
};

/** Records one conversation lists at most (a recovered call has a few). */
const LIST_LIMIT = 100;

type CallRecordQueries = Pick<
  Store,
  | 'createCallRecord'
  | 'getCallRecord'
  | 'listCallRecords'
  | 'listDeliveries'
  | 'claimDeliveries'
  | 'finishDelivery'
>;

/**
 * The call-record half of {@link Store} on a migrated database.
 *
 * @example
 * const store = { ...callRecordQueries(db), ... };
 * const { record } = await store.createCallRecord(call, ['crm']);
 */
export function callRecordQueries(db: SqlDatabase): CallRecordQueries {
  return {
    async createCallRecord(
      call: NewCall,
      webhooks: readonly string[],
    ): Promise<CreateCallRecordResult> {
      const id = randomUUID();
      const createdAt = new Date().toISOString();
      const record: CallRecord = deepFreeze({ id, createdAt, ...call });
      try {
        await db.transaction(async (tx) => {
          await tx.run(
            `INSERT INTO call_records (id, created_at, room, job_id, sip_call_id,
               genesys_conversation_id, started_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              id,
              createdAt,
              call.room,
              call.jobId,
              call.sipCallId,
              call.genesysConversationId ?? null,
              call.startedAt,
              JSON.stringify(call),
            ],
          );
          for (const webhook of new Set(webhooks)) {
            await tx.run(
              `INSERT INTO webhook_outbox (id, call_record_id, webhook, created_at, status,
                 attempts, next_attempt_at) VALUES (?, ?, ?, ?, 'pending', 0, ?)`,
              [randomUUID(), id, webhook, createdAt, createdAt],
            );
          }
        });
        return { status: 'created', record };
      } catch (err) {
        if (!db.isUniqueViolation(err)) throw err;
        const [row] = await db.all<RecordRow>(
          'SELECT id, created_at, body FROM call_records WHERE room = ? AND job_id = ?',
          [call.room, call.jobId],
        );
        if (!row) throw err;
        return { status: 'duplicate', record: recordFromRow(row) };
      }
    },

    async getCallRecord(id: string): Promise<CallRecord | undefined> {
      const [row] = await db.all<RecordRow>(
        'SELECT id, created_at, body FROM call_records WHERE id = ?',
        [id],
      );
      return row && recordFromRow(row);
    },

    async listCallRecords({ genesysConversationId }): Promise<readonly CallRecord[]> {
      const rows = await db.all<RecordRow>(
        `SELECT id, created_at, body FROM call_records WHERE genesys_conversation_id = ?
           ORDER BY started_at, created_at, id LIMIT ?`,
        [genesysConversationId, LIST_LIMIT],
      );
      return Object.freeze(rows.map(recordFromRow));
    },

    async listDeliveries(callRecordId: string): Promise<readonly WebhookDelivery[]> {
      const rows = await db.all<OutboxRow>(
        'SELECT * FROM webhook_outbox WHERE call_record_id = ? ORDER BY webhook',
        [callRecordId],
      );
      return Object.freeze(rows.map(deliveryFromRow));
    },

    async claimDeliveries(claim: DeliveryClaim): Promise<readonly ClaimedDelivery[]> {
      const webhooks = [...new Set(claim.webhooks)];
      if (webhooks.length === 0 || claim.limit <= 0) return [];
      const rows = await db.all<ClaimRow>(
        `SELECT o.id, o.webhook, o.attempts, o.next_attempt_at,
           r.id AS record_id, r.created_at AS record_created_at, r.body
         FROM webhook_outbox o JOIN call_records r ON r.id = o.call_record_id
         WHERE o.status = 'pending' AND o.next_attempt_at <= ?
           AND o.webhook IN (${placeholders(webhooks.length)})
         ORDER BY o.next_attempt_at, o.id LIMIT ?`,
        [claim.now.toISOString(), ...webhooks, claim.limit],
      );
      const claimed: ClaimedDelivery[] = [];
      for (const row of rows) {
        // Optimistic: another loop (another replica) that read the same row first wins it.
        const changed = await db.run(
          `UPDATE webhook_outbox SET next_attempt_at = ?
             WHERE id = ? AND status = 'pending' AND next_attempt_at = ?`,
          [claim.leaseUntil.toISOString(), row.id, row.next_attempt_at],
        );
        if (changed !== 1) continue;
        claimed.push(
          Object.freeze({
            id: row.id,
            webhook: row.webhook,
            attempts: Number(row.attempts),
            record: recordFromRow({
              id: row.record_id,
              created_at: row.record_created_at,
              body: row.body,
            }),
          }),
        );
      }
      return Object.freeze(claimed);
    },

    async finishDelivery(id: string, outcome: DeliveryOutcome): Promise<void> {
      const [sql, params] =
        outcome.status === 'delivered'
          ? [
              `UPDATE webhook_outbox SET status = 'delivered', attempts = ?, delivered_at = ?,
                 last_error = NULL WHERE id = ? AND status = 'pending'`,
              [outcome.attempts, outcome.at.toISOString(), id],
            ]
          : outcome.status === 'pending'
            ? [
                `UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?
                   WHERE id = ? AND status = 'pending'`,
                [outcome.attempts, outcome.nextAttemptAt.toISOString(), outcome.error, id],
              ]
            : [
                `UPDATE webhook_outbox SET status = 'failed', attempts = ?, next_attempt_at = ?,
                   last_error = ? WHERE id = ? AND status = 'pending'`,
                [outcome.attempts, outcome.at.toISOString(), outcome.error, id],
              ];
      await db.run(sql, params);
    },
  };
}

function recordFromRow(row: RecordRow): CallRecord {
  return deepFreeze({
    id: row.id,
    createdAt: row.created_at,
    ...(JSON.parse(row.body) as NewCall),
  });
}

function deliveryFromRow(r: OutboxRow): WebhookDelivery {
  return Object.freeze({
    id: r.id,
    callRecordId: r.call_record_id,
    webhook: r.webhook,
    status: r.status,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error ?? undefined,
    deliveredAt: r.delivered_at ?? undefined,
  });
}
