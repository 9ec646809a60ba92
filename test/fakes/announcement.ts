/**
 * The one JSON line `main.ts` prints on stdout once the FAKE cloud
 * providers listen, and its parser for whoever started the process (the
 * benchmark driver).
 */
import { z } from 'zod';

const env = z.record(z.string(), z.string());

export const cloudFakesAnnouncement = z.object({
  fake: z.literal('cloud-providers'),
  pid: z.number().int(),
  profile: z.object({ name: z.string() }).loose(),
  /** Our agent's environment (VOICE_MODE=cloud, keys, base URLs, OPENAI_MODEL). */
  agentEnv: env,
  python: z.object({
    deepgramBaseUrl: z.string(),
    openaiBaseUrl: z.string(),
    elevenlabsBaseUrl: z.string(),
    env,
  }),
  /** `GET /counters`, `POST /deepgram/fail?after=N`, … (see main.ts). */
  controlUrl: z.string(),
});

export type CloudFakesAnnouncement = z.infer<typeof cloudFakesAnnouncement>;

/**
 * Parses the announcement line.
 *
 * @throws when the line is not the fakes' announcement.
 * @example
 * const fakes = parseCloudFakesAnnouncement(firstStdoutLine);
 * spawnWorker({ env: { ...process.env, ...fakes.agentEnv } });
 */
export function parseCloudFakesAnnouncement(line: string): CloudFakesAnnouncement {
  return cloudFakesAnnouncement.parse(JSON.parse(line));
}
