/**
 * What dispatch puts in a dispatch rule's agent metadata, and so what every
 * agent job receives as `ctx.job.metadata`. Versioned so old rules still parse.
 */
import { formatIssues } from './issues.ts';
import { z } from 'zod';
import { deepFreeze } from './freeze.ts';

export const dispatchMetadataSchema = z
  .object({
    v: z.literal(1),
    route: z.string().min(1),
    persona: z.string().min(1),
    humanQueue: z.string().min(1),
    values: z.record(z.string(), z.string()).default({}),
    /** `outbound` when dispatch placed the call (POST /v1/calls): the agent calls someone. */
    direction: z.enum(['inbound', 'outbound']).optional(),
    /**
     * Set when dispatch sends this agent because the previous one left the
     * call undecided (a crashed worker): the n-th replacement.
     */
    recovery: z
      .object({ attempt: z.number().int().min(1).max(10) })
      .strict()
      .optional(),
  })
  .strict();

export type DispatchMetadata = Readonly<z.output<typeof dispatchMetadataSchema>>;

/** Thrown when job metadata is missing or not what dispatch writes. */
export class DispatchMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DispatchMetadataError';
  }
}

/**
 * Parses job metadata written by dispatch.
 *
 * @example
 * parseDispatchMetadata('{"v":1,"route":"main","persona":"front-desk","humanQueue":"general"}');
 */
export function parseDispatchMetadata(text: string): DispatchMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DispatchMetadataError('job metadata is not JSON');
  }
  const result = dispatchMetadataSchema.safeParse(raw);
  if (!result.success) {
    throw new DispatchMetadataError(
      `job metadata is invalid: ${formatIssues(result.error).join('; ')}`,
    );
  }
  return deepFreeze(result.data);
}

export function encodeDispatchMetadata(meta: z.input<typeof dispatchMetadataSchema>): string {
  return JSON.stringify(dispatchMetadataSchema.parse(meta));
}
