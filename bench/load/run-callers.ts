/**
 * One load run against a running stack: Genesys-shaped callers arriving on a
 * schedule, each a sipp process for the SIP and a voice in the shared caller
 * media process, everything between them and the bridge captured by tshark.
 * Returns (and writes as artifacts.json) what the wire analysis needs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../test/harness/stack.ts';
import type { CallerLog, LoadRunArtifacts } from './artifacts.ts';
import { DEFAULT_BEHAVIOUR, type CallerBehaviour } from './caller-behaviour.ts';
import { captureFilter, startCapture } from './capture.ts';
import {
  mediaPlanSchema,
  type CallMediaReport,
  type MediaPlan,
  type PlannedCall,
} from './media-protocol.ts';
import { startMediaProcess, type MediaProcess } from './media-process.ts';
import type { CallerScript } from './scripts.ts';
import { classifyCall, runSippCaller, type SippCallerResult } from './sipp-caller.ts';
import { renderScript } from './speech.ts';

/** The number bench/routing.yaml routes to the overflow persona. */
export const BENCH_DNIS = '+18005550300';

/**
 * Caller i signals from `sip + i` and talks RTP on `media + 2i`; sipp's own
 * RTP echo pair sits at `sippMedia + 4i`. For {@link MAX_CALLERS} they span
 * 11000-14999: clear of every stack slot's ports (test/harness/ports.ts) and
 * below Linux's ephemeral range (32768-60999), where any socket the kernel
 * numbers itself may already hold the port a caller binds when it starts
 * (a sipp caller failed to bind 34014 that way, and its call went unplaced).
 */
export const CALLER_PORTS = Object.freeze({ sip: 11000, media: 12000, sippMedia: 13000 });
export const MAX_CALLERS = 500;

export type LoadProgress = Readonly<{
  /** Callers whose sipp has started (INVITE sent). */
  started: number;
  /** Callers answered so far (the 200 OK reached the caller's media side). */
  answered: number;
  /** Callers whose sipp has exited, answered or not (cancelled, refused). */
  ended: number;
  /** Answered and not yet ended: the calls talking now. */
  talking: number;
  total: number;
}>;

export type LoadOptions = Readonly<{
  stack: Stack;
  /** Arrival offsets in ms from the start of the run (see arrivals.ts). */
  arrivals: readonly number[];
  script: CallerScript;
  /** Emptied, then holds the pcap, speech, one directory per call and artifacts.json. */
  workDir: string;
  /** No 200 OK within this: the caller CANCELs. Default 30. */
  ringTimeoutSeconds?: number;
  onProgress?: (p: LoadProgress) => void;
  /** Seeds every caller's pauses and RTP identifiers. Default 1. */
  seed?: number;
  behaviour?: Partial<CallerBehaviour>;
  /** Called number. Default {@link BENCH_DNIS}. */
  dnis?: string;
  /** Agent speech detector threshold (frame RMS, 16-bit linear). Default 300. */
  voicedRms?: number;
}>;

/**
 * Runs the callers and returns the run's artifacts once every call has ended.
 *
 * @throws when the arrivals are not ascending offsets >= 0, exceed {@link MAX_CALLERS},
 *   or the media process or tshark fails to start
 * @example
 * const artifacts = await runLoad({
 *   stack,
 *   arrivals: burst(4, 2),
 *   script: OFFLINE_SCRIPT,
 *   workDir: join(stack.runDir, 'load'),
 * });
 * artifacts.callers.map((c) => c.end); // ['refer', 'refer', 'refer', 'refer']
 */
export async function runLoad(opts: LoadOptions): Promise<LoadRunArtifacts> {
  const n = opts.arrivals.length;
  if (n > MAX_CALLERS) throw new RangeError(`at most ${MAX_CALLERS} callers per run, got ${n}`);
  if (opts.arrivals.some((t, i) => !(t >= 0) || (i > 0 && t < (opts.arrivals[i - 1] ?? 0)))) {
    throw new RangeError('arrivals must be ascending offsets >= 0 ms');
  }
  const ringTimeoutMs = (opts.ringTimeoutSeconds ?? 30) * 1000;
  const seed = opts.seed ?? 1;
  rmSync(opts.workDir, { recursive: true, force: true });
  mkdirSync(opts.workDir, { recursive: true });

  const script = renderScript(opts.script, join(opts.workDir, 'speech'));
  const planned: PlannedCall[] = opts.arrivals.map((_, i) => ({
    id: `caller-${String(i).padStart(3, '0')}`,
    sipPort: CALLER_PORTS.sip + i,
    mediaPort: CALLER_PORTS.media + 2 * i,
    dir: join(opts.workDir, 'calls', `caller-${String(i).padStart(3, '0')}`),
    seed: (Math.imul(seed, 1_000_003) + i) | 0,
  }));
  for (const c of planned) mkdirSync(c.dir, { recursive: true });
  // Parsed here too: the media process refuses a plan its schema does not accept.
  const plan: MediaPlan = mediaPlanSchema.parse({
    script,
    behaviour: { ...DEFAULT_BEHAVIOUR, ...opts.behaviour },
    voicedRms: opts.voicedRms ?? 300,
    calls: planned,
  });
  const planFile = join(opts.workDir, 'media-plan.json');
  writeFileSync(planFile, JSON.stringify(plan, null, 2));

  const pcapFile = join(opts.workDir, 'callers.pcap');
  const filter = captureFilter({
    callerSip: [CALLER_PORTS.sip, CALLER_PORTS.sip + Math.max(0, n - 1)],
    callerMedia: [CALLER_PORTS.media, CALLER_PORTS.media + 2 * Math.max(0, n - 1)],
    bridgeSip: opts.stack.ports.sip,
    bridgeRtp: opts.stack.ports.sipRtp,
  });
  const capture = await startCapture(pcapFile, filter);
  let media: MediaProcess | undefined;
  try {
    media = await startMediaProcess(planFile, join(opts.workDir, 'caller-media.log'));
    const progress = { started: 0, answered: 0, ended: 0, total: n };
    const answered = new Set<string>();
    const ended = new Set<string>();
    const report = () =>
      opts.onProgress?.({
        ...progress,
        talking: [...answered].filter((id) => !ended.has(id)).length,
      });
    media.onAnswered((id) => {
      answered.add(id);
      progress.answered++;
      report();
    });
    const startedAtMs = Date.now();
    const sippRuns = planned.map(async (call, i): Promise<[SippCallerResult, string]> => {
      const arrival = opts.arrivals[i] ?? 0;
      await new Promise((r) => setTimeout(r, Math.max(0, startedAtMs + arrival - Date.now())));
      const conversationId = randomUUID();
      const running = runSippCaller({
        dir: call.dir,
        target: `127.0.0.1:${opts.stack.ports.sip}`,
        dnis: opts.dnis ?? BENCH_DNIS,
        sipPort: call.sipPort,
        rtpPort: call.mediaPort,
        sippMediaPort: CALLER_PORTS.sippMedia + 4 * i,
        ringTimeoutMs,
        ani: `+1555${String(2000000 + i).padStart(7, '0')}`,
        conversationId,
        uui: `account=${100000 + i};intent=general`,
        customerTier: 'gold',
      });
      media?.tell({ type: 'invited', id: call.id });
      progress.started++;
      report();
      const result = await running;
      media?.tell({ type: 'ended', id: call.id });
      ended.add(call.id);
      progress.ended++;
      report();
      return [result, conversationId];
    });
    const results = await Promise.all(sippRuns);
    const reports = await media.reports(planned.length, 15_000);
    const callers = planned.map((call, i): CallerLog => {
      const [sipp, conversationId] = results[i] ?? [undefined, ''];
      return callerLog(call, opts.arrivals[i] ?? 0, conversationId, sipp, reports.get(call.id));
    });
    const summary = await capture.stop();
    const artifacts: LoadRunArtifacts = {
      pcapFile,
      startedAtMs,
      callers,
      script: opts.script.name,
      mediaProcessNice: media.nice,
      capture: {
        filter,
        ...(summary.droppedPackets === undefined ? {} : { droppedPackets: summary.droppedPackets }),
      },
    };
    writeFileSync(join(opts.workDir, 'artifacts.json'), JSON.stringify(artifacts, null, 2));
    return artifacts;
  } finally {
    media?.kill();
    await capture.stop().catch(() => undefined);
  }
}

function callerLog(
  call: PlannedCall,
  arrivalMs: number,
  conversationId: string,
  sipp: SippCallerResult | undefined,
  report: CallMediaReport | undefined,
): CallerLog {
  const classified = sipp
    ? classifyCall(sipp)
    : { end: 'error' as const, invitedAtMs: undefined, sipCallId: undefined, problems: [] };
  const failures = [...(sipp?.failures ?? ['sipp did not run']), ...classified.problems];
  if (classified.end === 'hangup' && report && !report.hungUp) {
    failures.push(
      'the caller did not ask to hang up: the talking cap or a crossed BYE ended the call',
    );
  }
  if (!report) failures.push('the media process sent no report for this call');
  return {
    id: call.id,
    arrivalMs,
    sipPort: call.sipPort,
    mediaPort: call.mediaPort,
    invitedAtMs: classified.invitedAtMs ?? 0,
    utterances: report?.utterances ?? [],
    digits: report?.digits ?? [],
    end: classified.end,
    sippExitCode: sipp?.exitCode ?? -1,
    failures,
    ...(classified.sipCallId === undefined ? {} : { sipCallId: classified.sipCallId }),
    conversationId,
    ...(report?.answeredAtMs === undefined ? {} : { answeredAtMs: report.answeredAtMs }),
    notes: report?.notes ?? [],
    ...(report && {
      media: {
        packetsSent: report.packetsSent,
        packetsReceived: report.packetsReceived,
        maxSendLagMs: report.maxSendLagMs,
        skippedPackets: report.skippedPackets,
      },
    }),
  };
}
