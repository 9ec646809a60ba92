/**
 * What dispatch keeps: callback requests, context records, call records and
 * the outbox of call-record webhook deliveries. One asynchronous interface,
 * one implementation of it over SQL (sql-store.ts), two databases: embedded
 * SQLite (default) and PostgreSQL, both on the same migrations.
 */
import type { CallRecord } from '../../../contracts/call-record.ts';
import type { ContextRecord } from '../../../contracts/context-record.ts';

export type { CallRecord, ContextRecord };

export type CallbackRecord = Readonly<{
  id: string;
  createdAt: string;
  /** Number to call back. */
  number: string;
  issueType: string;
  notes: string | undefined;
  route: string;
  persona: string;
  genesysConversationId: string | undefined;
  sipCallId: string | undefined;
  status: 'pending';
}>;

export type NewContext = Omit<ContextRecord, 'id' | 'createdAt'>;

export type NewCallback = Omit<CallbackRecord, 'id' | 'createdAt' | 'status'>;

/** A validated call record (contracts/call-record.ts output) before dispatch gives it an id. */
export type NewCall = Omit<CallRecord, 'id' | 'createdAt'>;

/**
 * What storing a call record did: `created`, or `duplicate` when a record of
 * the same room and job was already stored (then `record` is that one and no
 * webhook delivery is added).
 */
export type CreateCallRecordResult = Readonly<{
  status: 'created' | 'duplicate';
  record: CallRecord;
}>;

/** `pending` until a webhook answered 2xx (`delivered`) or dispatch gave up (`failed`). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One outbox row: one call record for one webhook. */
export type WebhookDelivery = Readonly<{
  id: string;
  callRecordId: string;
  webhook: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  createdAt: string;
  /** When the next attempt is due (while pending; a claim moves it past its lease). */
  nextAttemptAt: string;
  lastError: string | undefined;
  deliveredAt: string | undefined;
}>;

/** A pending delivery claimed for one attempt, with the record to send. */
export type ClaimedDelivery = Readonly<{
  id: string;
  webhook: string;
  /** Attempts made before this one. */
  attempts: number;
  record: CallRecord;
}>;

export type DeliveryClaim = Readonly<{
  /** Webhook names to claim for (others' rows stay pending). */
  webhooks: readonly string[];
  now: Date;
  /** Until when the claim holds: no other loop takes the row before. */
  leaseUntil: Date;
  limit: number;
}>;

/** How an attempt ended; `attempts` counts it. */
export type DeliveryOutcome = Readonly<
  | { status: 'delivered'; attempts: number; at: Date }
  | { status: 'pending'; attempts: number; nextAttemptAt: Date; error: string }
  | { status: 'failed'; attempts: number; at: Date; error: string }
>;

/** A lease a worker stopped renewing, taken by one dispatch replica (contracts/worker-lease.ts). */
export type ExpiredWorkerLease = Readonly<{
  workerId: string;
  expiredAt: Date;
  calls: readonly Readonly<{ room: string; identity: string }>[];
}>;

export interface Store {
  createContext(record: NewContext): Promise<ContextRecord>;
  getContext(id: string): Promise<ContextRecord | undefined>;
  createCallback(cb: NewCallback): Promise<CallbackRecord>;
  getCallback(id: string): Promise<CallbackRecord | undefined>;
  /**
   * Stores a call record and, in the same transaction, one pending delivery
   * per webhook name (due at once).
   */
  createCallRecord(record: NewCall, webhooks: readonly string[]): Promise<CreateCallRecordResult>;
  getCallRecord(id: string): Promise<CallRecord | undefined>;
  /** Every record of a Genesys conversation, oldest start first (at most 100). */
  listCallRecords(
    filter: Readonly<{ genesysConversationId: string }>,
  ): Promise<readonly CallRecord[]>;
  /** The outbox rows of one call record, by webhook name. */
  listDeliveries(callRecordId: string): Promise<readonly WebhookDelivery[]>;
  /** Claims pending deliveries due at `now`, earliest first, for one attempt each. */
  claimDeliveries(claim: DeliveryClaim): Promise<readonly ClaimedDelivery[]>;
  /** Records how a claimed attempt ended; a row no longer pending is left alone. */
  finishDelivery(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** Replaces a worker's lease: the calls it carries, until `expiresAt`. */
  renewWorkerLease(
    workerId: string,
    calls: readonly Readonly<{ room: string; identity: string }>[],
    expiresAt: Date,
  ): Promise<void>;
  releaseWorkerLease(workerId: string): Promise<void>;
  /** Deletes and returns the leases expired at `now`; each lease is returned to one caller only. */
  takeExpiredWorkerLeases(now: Date): Promise<readonly ExpiredWorkerLease[]>;
  close(): Promise<void>;
}
