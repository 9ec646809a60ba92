/**
 * What the load driver and the caller media process (its child) tell each
 * other over the Node IPC channel, parsed with zod on both sides: the plan
 * the child gets at start, the driver's notices (a call's sipp started or
 * ended), and the child's reports (ready, answered, a call's record).
 */
import { z } from 'zod';

const part = z.object({ text: z.string(), file: z.string(), durationMs: z.number() }).strict();

export const renderedScriptSchema = z
  .object({
    name: z.string(),
    utterances: z.array(
      z
        .object({
          index: z.number().int(),
          text: z.string(),
          bargeIn: z.boolean(),
          parts: z.array(part).min(1),
        })
        .strict(),
    ),
    digit: z.object({ key: z.string(), afterUtterance: z.number().int() }).strict().optional(),
  })
  .strict();

const range = z.tuple([z.number().min(0), z.number().min(0)]);

export const behaviourSchema = z
  .object({
    agentSilenceMs: z.number().positive(),
    greetingGiveUpMs: z.number().positive(),
    replyGiveUpMs: z.number().positive(),
    turnMaxMs: z.number().positive(),
    pauseMs: range,
    midSentencePauseMs: range,
    bargeInDelayMs: z.number().min(0),
    bargeInHangoverMs: z.number().positive(),
    referWaitMs: z.number().positive(),
  })
  .strict();

export const plannedCallSchema = z
  .object({
    id: z.string(),
    /** sipp's SIP port: where the hang-up request goes. */
    sipPort: z.number().int().min(1).max(65535),
    /** This call's RTP port (send and receive). */
    mediaPort: z.number().int().min(1).max(65535),
    /** sipp's working directory, where it writes `answered` and `referred`. */
    dir: z.string(),
    seed: z.number().int(),
  })
  .strict();

export const mediaPlanSchema = z
  .object({
    script: renderedScriptSchema,
    behaviour: behaviourSchema,
    /** Agent speech detector threshold (frame RMS, 16-bit linear). */
    voicedRms: z.number().positive(),
    calls: z.array(plannedCallSchema),
  })
  .strict();

export type MediaPlan = z.output<typeof mediaPlanSchema>;
export type PlannedCall = z.output<typeof plannedCallSchema>;

export const driverMessageSchema = z.discriminatedUnion('type', [
  /** The call's sipp started (its INVITE is on the way): watch for the answer. */
  z.object({ type: z.literal('invited'), id: z.string() }).strict(),
  /** The call's sipp exited: stop its media and report. */
  z.object({ type: z.literal('ended'), id: z.string() }).strict(),
  /** Give up on every call still running, report and exit. */
  z.object({ type: z.literal('shutdown') }).strict(),
]);
export type DriverMessage = z.output<typeof driverMessageSchema>;

const spokenPart = z.object({ startMs: z.number(), endMs: z.number() }).strict();

export const callMediaReportSchema = z
  .object({
    utterances: z.array(
      z
        .object({
          index: z.number().int(),
          text: z.string(),
          parts: z.array(spokenPart),
          bargeIn: z.boolean(),
        })
        .strict(),
    ),
    digits: z.array(z.object({ digit: z.string(), atMs: z.number() }).strict()),
    hungUp: z.boolean(),
    notes: z.array(z.string()),
    answeredAtMs: z.number().optional(),
    packetsSent: z.number().int(),
    packetsReceived: z.number().int(),
    /** Worst lateness of a packet against its 20 ms slot. */
    maxSendLagMs: z.number(),
    /** Packet slots dropped when the process fell too far behind (the RTP clock jumped). */
    skippedPackets: z.number().int(),
  })
  .strict();
export type CallMediaReport = z.output<typeof callMediaReportSchema>;

export const mediaMessageSchema = z.discriminatedUnion('type', [
  /** Every media socket is bound. */
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('answered'), id: z.string() }).strict(),
  z.object({ type: z.literal('report'), id: z.string(), report: callMediaReportSchema }).strict(),
  z.object({ type: z.literal('fatal'), message: z.string() }).strict(),
]);
export type MediaMessage = z.output<typeof mediaMessageSchema>;
