/**
 * What sipp's bench-caller scenario tells the caller's media once the call is
 * answered: the bridge's RTP address and the Call-ID (bench/sipp/bench-caller.xml).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** What sipp writes on answer: "<bridge RTP ip> <bridge RTP port> <Call-ID>". */
const answerSchema = z.tuple([z.ipv4(), z.string().regex(/^[0-9]{1,5}$/), z.string().min(1)]);

/** Where the bridge wants the caller's RTP, and the call's Call-ID. */
export type SippAnswer = Readonly<{ remote: { address: string; port: number }; callId: string }>;

/**
 * Reads the `answered` file sipp writes in its directory (bench/sipp/bench-caller.xml).
 *
 * @throws when the file is missing or malformed.
 */
export function readSippAnswer(dir: string): SippAnswer {
  const text = readFileSync(join(dir, 'answered'), 'utf8');
  const [address, port, callId] = answerSchema.parse(text.trim().split(/\s+/));
  return { remote: { address, port: Number(port) }, callId };
}
