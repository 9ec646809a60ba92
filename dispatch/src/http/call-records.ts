/**
 * Call records over HTTP (all behind the /v1 bearer token):
 *   POST /v1/calls/records                      an agent stores the record of its job
 *   GET  /v1/calls/:id                          one record
 *   GET  /v1/calls?genesysConversationId=<id> every record of a Genesys conversation
 * Storing a record queues its webhook deliveries in the same transaction.
 * One record per room and job: the same record sent again (an agent's retry
 * or spool) is answered 201 with the stored one and queues nothing; a
 * different record for the same room and job is a 409.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Hono } from 'hono';
import { z } from 'zod';
import { newCallRecordSchema } from '../../../contracts/call-record.ts';
import { conversationIdSchema } from '../../../contracts/conversation-id.ts';
import { redactText } from '../../../contracts/redact.ts';
import type { CallRecord, NewCall, Store } from '../store/store.ts';
import { bodyLimit, invalidRequest, jsonBody } from './json-body.ts';
import type { DispatchMetrics } from './metrics.ts';

/** Where agents POST call records. */
export const CALL_RECORDS_PATH = '/v1/calls/records';

/** A record is a few KiB (at most 20 transfers and 100 timeline entries). */
const MAX_BODY_BYTES = 256 * 1024;

export type CallRecordRoutesDeps = Readonly<{
  store: Store;
  metrics: DispatchMetrics;
  /** Names of the webhooks every new record is queued for. */
  webhooks: readonly string[];
  /** Told once a record and its deliveries are stored (wakes the outbox loop). */
  stored?: () => void;
}>;

const listQuerySchema = z.object({ genesysConversationId: conversationIdSchema });

/**
 * Adds the call-record routes to `app` (whose /v1 auth middleware must already be in place).
 *
 * @example
 * registerCallRecordRoutes(app, { store, metrics, webhooks: ['crm'], stored: outbox.wake });
 * await app.request('/v1/calls?genesysConversationId=6f1c0f3a-...', { headers }); // { calls: [...] }
 */
export function registerCallRecordRoutes(app: Hono, deps: CallRecordRoutesDeps): void {
  const { store, metrics } = deps;
  app.post(CALL_RECORDS_PATH, bodyLimit(MAX_BODY_BYTES), async (c) => {
    const record = await jsonBody(c, newCallRecordSchema);
    if (record instanceof Response) return record;
    // The schema has no personal data; free-text milestones are masked all the same.
    const call: NewCall = {
      ...record,
      timeline: record.timeline.map((t) => ({ at: t.at, event: redactText(t.event) })),
    };
    const result = await store.createCallRecord(call, deps.webhooks);
    if (result.status === 'duplicate') {
      return sameCall(result.record, call)
        ? c.json(result.record, 201)
        : c.json({ error: 'already_recorded', id: result.record.id }, 409);
    }
    metrics.callRecords.inc();
    deps.stored?.();
    return c.json(result.record, 201);
  });
  app.get('/v1/calls/:id', async (c) => {
    const record = await store.getCallRecord(c.req.param('id'));
    return record ? c.json(record) : c.json({ error: 'not_found' }, 404);
  });
  app.get('/v1/calls', async (c) => {
    const parsed = listQuerySchema.safeParse({
      genesysConversationId: c.req.query('genesysConversationId'),
    });
    if (!parsed.success) return invalidRequest(c, parsed.error);
    return c.json({ calls: await store.listCallRecords(parsed.data) });
  });
}

/** Whether a stored record holds exactly `call` (as JSON: absent and undefined fields alike). */
function sameCall(stored: CallRecord, call: NewCall): boolean {
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  return isDeepStrictEqual(
    asJson(stored),
    asJson({ ...call, id: stored.id, createdAt: stored.createdAt }),
  );
}
