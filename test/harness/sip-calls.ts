/**
 * Calls the SIP boundary tests place with the probe (test/harness/sip-probe.ts)
 * and what they read off the wire and the stack afterwards: a call with real
 * RTP both ways, a burst of callers some of whom give up while it rings, and
 * the rooms LiveKit still holds.
 */
import { RoomServiceClient } from 'livekit-server-sdk';
import { callRecordsOf } from './dispatch-records.ts';
import { activeJobs, waitFor, waitForIdleWorker } from './logs.ts';
import { openProbeMedia, TELEPHONE_EVENT_PT, type ProbeMedia } from './sip-probe-media.ts';
import { probeInvite, probeSdp, type ProbeDialog, type ProbeResult } from './sip-probe.ts';
import type { Stack } from './stack.ts';

export const DNIS = '+18005550100';
export const PCMU: [number, string][] = [[0, 'PCMU/8000']];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RTP packets the bridge sent in `[fromMs, toMs)` (epoch ms). */
export function rtpIn(media: ProbeMedia, fromMs: number, toMs: number): number {
  return media.received().filter((p) => p.atMs >= fromMs && p.atMs < toMs).length;
}

/** Waits until the bridge sends voiced audio (the agent's greeting); false after `timeoutMs`. */
export async function heardVoice(media: ProbeMedia, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!media.received().some((p) => p.voiced)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * One call with RTP both ways (PCMU and telephone-event offered), driven by
 * `script` once answered; the media is returned for reading after the call.
 *
 * @example
 * const { result, media } = await callWithMedia(stack, cnv, async (d) => void (await d.reinvite()));
 */
export async function callWithMedia(
  stack: Stack,
  conversationId: string,
  script: (dialog: ProbeDialog, media: ProbeMedia) => Promise<void>,
  waitMs = 8000,
): Promise<{ result: ProbeResult; media: ProbeMedia }> {
  const media = await openProbeMedia('127.0.0.1');
  const sdp = probeSdp('127.0.0.1', media.port, [
    ...PCMU,
    [TELEPHONE_EVENT_PT, 'telephone-event/8000'],
  ]);
  const result = await probeInvite(
    stack.ports.sip,
    {
      dnis: DNIS,
      conversationId,
      sdp,
      media,
      headers: ['Supported: replaces, timer'],
      midCall: (dialog) => script(dialog, media),
    },
    waitMs,
  );
  return { result, media };
}

export type BurstCall = Readonly<{
  conversationId: string;
  abandon: boolean;
  result: ProbeResult;
}>;

/**
 * Places one call every `spacingMs`, each from its own socket; the callers
 * marked `abandon` send CANCEL at their first 180, the others hold an
 * answered call `holdMs`. Resolves once every call is over.
 */
export function placeBurst(
  stack: Stack,
  plan: readonly Readonly<{ conversationId: string; abandon: boolean }>[],
  spacingMs: number,
  holdMs: number,
  waitMs: number,
): Promise<BurstCall[]> {
  return Promise.all(
    plan.map(async ({ conversationId, abandon }, i) => {
      await sleep(i * spacingMs);
      const result = await probeInvite(
        stack.ports.sip,
        {
          dnis: DNIS,
          conversationId,
          sdp: probeSdp('127.0.0.1', 39990 + i, PCMU),
          cancelOnRinging: abandon,
          holdMs,
        },
        waitMs,
      );
      return { conversationId, abandon, result };
    }),
  );
}

/** Names of the rooms LiveKit holds. */
export async function roomNames(stack: Stack): Promise<string[]> {
  const { httpUrl, apiKey, apiSecret } = stack.livekit;
  const rooms = await new RoomServiceClient(httpUrl, apiKey, apiSecret).listRooms();
  return rooms.map((r) => r.name);
}

/**
 * The rooms someone (a caller, an agent) is still in. An empty room is not
 * stuck: LiveKit closes it at its departure timeout (20 s).
 */
export async function occupiedRooms(stack: Stack): Promise<string[]> {
  const { httpUrl, apiKey, apiSecret } = stack.livekit;
  const rooms = new RoomServiceClient(httpUrl, apiKey, apiSecret);
  const occupied: string[] = [];
  for (const { name } of await rooms.listRooms()) {
    if ((await rooms.listParticipants(name).catch(() => [])).length > 0) occupied.push(name);
  }
  return occupied;
}

/** A burst's callers by what they got. */
export type BurstSummary = Readonly<{
  /** Callers who stayed, answered. */
  answered: readonly BurstCall[];
  /** Callers who stayed, refused (a final 4xx-6xx). */
  refused: readonly BurstCall[];
  /** Callers who gave up: 487 to their INVITE after the CANCEL. */
  cancelled: readonly BurstCall[];
  /** Callers who gave up but whose 200 crossed the CANCEL (the probe then hung up). */
  raced: readonly BurstCall[];
  /** Anyone left without a final response (ringing at the end of the wait). */
  ringing: readonly BurstCall[];
}>;

export function summarizeBurst(burst: readonly BurstCall[]): BurstSummary {
  const final = (c: BurstCall) => c.result.final ?? 0;
  const stayed = burst.filter((c) => !c.abandon);
  const gaveUp = burst.filter((c) => c.abandon);
  return {
    answered: stayed.filter((c) => final(c) === 200),
    refused: stayed.filter((c) => final(c) >= 400),
    cancelled: gaveUp.filter((c) => final(c) === 487),
    raced: gaveUp.filter((c) => final(c) === 200),
    ringing: burst.filter((c) => c.result.final === undefined),
  };
}

/**
 * Samples the worker's active jobs every 250 ms until stopped: the most at
 * once, and since when (ms after the start) there have been none.
 */
export function watchActiveJobs(agentHealthPort: number) {
  const start = Date.now();
  let peak = 0;
  let idleSince: number | undefined;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const n = await activeJobs(agentHealthPort).catch(() => undefined);
      if (n !== undefined) {
        peak = Math.max(peak, n);
        idleSince = n === 0 ? (idleSince ?? Date.now() - start) : undefined;
      }
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await sampling;
      if ((await activeJobs(agentHealthPort)) === 0) idleSince ??= Date.now() - start;
      return { peak, idleSinceMs: idleSince };
    },
  };
}

export type BurstReport = BurstSummary &
  Readonly<{
    /** Outcomes of the records of the callers who stayed (one each when none is lost). */
    outcomes: readonly string[];
    /** Most active jobs at once, and since when (ms after the first INVITE) there were none. */
    peakJobs: number;
    idleSinceMs: number | undefined;
    /** Jobs still active 30 s after the burst. */
    jobsLeft: number;
    /** Rooms someone was still in 30 s after the burst, and when (ms) all were empty. */
    occupied: readonly string[];
    roomsEmptyAtMs: number;
  }>;

/**
 * A burst of callers (see {@link placeBurst}) and what it left: what each
 * caller got, the records of those who stayed, the worker's jobs, the rooms.
 */
export async function runBurst(
  stack: Stack,
  plan: readonly Readonly<{ conversationId: string; abandon: boolean }>[],
  timing: Readonly<{ spacingMs: number; holdMs: number; waitMs: number }>,
): Promise<BurstReport> {
  const jobs = watchActiveJobs(stack.ports.agentHealth);
  const start = Date.now();
  const summary = summarizeBurst(
    await placeBurst(stack, plan, timing.spacingMs, timing.holdMs, timing.waitMs),
  );
  const outcomes: string[] = [];
  for (const c of [...summary.answered, ...summary.refused]) {
    const records = await callRecordsOf(stack, c.conversationId, 20_000).catch(() => []);
    outcomes.push(...records.map((r) => String(r['outcome'])));
  }
  const jobsLeft = await waitForIdleWorker(stack.ports.agentHealth, 30_000);
  const { peak, idleSinceMs } = await jobs.stop();
  const occupied = await waitFor(
    () => occupiedRooms(stack),
    (r) => r.length === 0,
    30_000,
  );
  return {
    ...summary,
    outcomes,
    peakJobs: peak,
    idleSinceMs,
    jobsLeft,
    occupied,
    roomsEmptyAtMs: Date.now() - start,
  };
}
