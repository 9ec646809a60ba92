/**
 * The record of one call, written by the agent when its job ends and kept by
 * dispatch: the ids that join it to Genesys and LiveKit, what happened, and
 * how fast the agent answered. Personal data stays out: no caller number, no
 * transcript (the context record holds the redacted excerpt a human needs).
 *
 * `POST /v1/calls/records` takes a {@link NewCallRecord} (unknown fields are
 * refused) and answers the stored {@link CallRecord} (201; the same record
 * sent again gets the stored one, a different one for the same room and job
 * a 409); dispatch delivers it to the routing file's `callRecords.webhooks`.
 */
import { z } from 'zod';
import { conversationIdProblemSchema, conversationIdSchema } from './conversation-id.ts';
import { handoffReasonSchema, recordOutcomeSchema, transferStatusSchema } from './call-outcome.ts';

/** Longest room, job or SIP Call-ID a record keeps; longer ones are clipped by whoever writes the record. */
export const RECORD_ID_MAX = 200;

const id = z.string().min(1).max(RECORD_ID_MAX);

/** The `jobId` of the record of a call no agent job ever took (outcome `refused`). */
export const NO_AGENT_JOB = 'none';

export const transferAttemptRecordSchema = z
  .object({
    queue: id,
    /** Target URI without UUI, or `consult:<number>` for a warm transfer. */
    target: z.string().min(1).max(500),
    startedAt: z.iso.datetime(),
    durationMs: z.number().int().min(0),
    status: transferStatusSchema,
    sipStatus: z.number().int().min(100).max(699).optional(),
  })
  .strict();

export const newCallRecordSchema = z
  .object({
    /**
     * LiveKit room and agent job: one record per job (a recovered call has
     * several); {@link NO_AGENT_JOB} for a call no agent took.
     */
    room: id,
    jobId: id,
    sipCallId: id,
    genesysConversationId: conversationIdSchema.optional(),
    /** Set when the conversation id Genesys sent was not a UUID. */
    genesysConversationIdProblem: conversationIdProblemSchema.optional(),
    route: id,
    persona: id,
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
    outcome: recordOutcomeSchema,
    /** Why the caller went to a human, when they did. */
    escalationReason: handoffReasonSchema.optional(),
    transfers: z.array(transferAttemptRecordSchema).max(20).default([]),
    /** Turn latency summary, milliseconds (caller stops speaking → agent audio). */
    latency: z
      .object({
        turns: z.number().int().min(0),
        p50Ms: z.number().min(0).optional(),
        p90Ms: z.number().min(0).optional(),
        maxMs: z.number().min(0).optional(),
      })
      .strict(),
    /** Milestones: answered, greeted, escalated, transferred... with their times. */
    timeline: z
      .array(z.object({ at: z.iso.datetime(), event: z.string().min(1).max(64) }).strict())
      .max(100)
      .default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (Date.parse(r.endedAt) < Date.parse(r.startedAt))
      ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'must not be before startedAt' });
  });

export type NewCallRecord = z.input<typeof newCallRecordSchema>;
export type CallRecord = z.output<typeof newCallRecordSchema> & {
  readonly id: string;
  readonly createdAt: string;
};
