/**
 * One load run against a running stack: Genesys-shaped callers arriving on a
 * schedule, each a sipp process for the SIP and a voice in the shared caller
 * media process, everything between them and the bridge captured by tshark.
 * Returns (and writes as artifacts.json) what the wire analysis needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Stack } from '../../test/harness/stack.ts';
import type { CallerLog, LoadRunArtifacts } from './artifacts.ts';
import { DEFAULT_BEHAVIOUR, type CallerBehaviour } from './caller-behaviour.ts';
import { captureFilter, startCapture } from './capture.ts';
import {
  mediaMessageSchema,
  mediaPlanSchema,
  type CallMediaReport,
  type DriverMessage,
  type MediaPlan,
  type PlannedCall,
} from './media-protocol.ts';
import type { CallerScript } from './scripts.ts';
import { classifyCall, runSippCaller, type SippCallerResult } from './sipp-caller.ts';
import { renderScript } from './speech.ts';

/** The number bench/routing.yaml routes to the overflow persona. */
export const BENCH_DNIS = '+18005550300';

/** Caller i signals from SIP_BASE + i and talks RTP on MEDIA_BASE + 2i; sipp's own RTP echo pair sits at SIPP_MEDIA_BASE + 4i. */
export const CALLER_PORTS = Object.freeze({ sip: 31000, media: 32000, sippMedia: 34000 });
export const MAX_CALLERS = 500;
/** Scheduling priority of the caller media process where allowed (root or CAP_SYS_NICE). */
export const MEDIA_PROCESS_NICE = -10;

export type LoadProgress = Readonly<{
  started: number;
  answered: number;
  ended: number;
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
    const report = () => opts.onProgress?.({ ...progress });
    media.onAnswered(() => {
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

type MediaProcess = Readonly<{
  /** The nice value it runs at. */
  nice: number;
  tell: (m: DriverMessage) => void;
  onAnswered: (f: (id: string) => void) => void;
  /** Resolves once `count` reports arrived or the media process exited (or `timeoutMs` passed). */
  reports: (count: number, timeoutMs: number) => Promise<ReadonlyMap<string, CallMediaReport>>;
  kill: () => void;
}>;

async function startMediaProcess(planFile: string, logFile: string): Promise<MediaProcess> {
  // It stands for the Genesys edge's media, which has hardware of its own: its packets must
  // leave on time however busy the stack under test keeps the machine. nice(1) raises every
  // thread (V8's GC helpers too, which a main thread can wait on) and runs it unchanged where
  // it may not; GC stays on the main thread so no helper thread at any priority can stall it.
  const child: ChildProcess = spawn(
    'nice',
    [
      '-n',
      String(MEDIA_PROCESS_NICE),
      process.execPath,
      '--disable-warning=ExperimentalWarning',
      '--single-threaded-gc',
      fileURLToPath(new URL('./caller-media.ts', import.meta.url)),
      planFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const reports = new Map<string, CallMediaReport>();
  const answeredListeners: ((id: string) => void)[] = [];
  let fatal: string | undefined;
  let exited = false;
  const changed: (() => void)[] = [];
  const notify = () => changed.splice(0).forEach((f) => f());
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (raw) => {
      const parsed = mediaMessageSchema.safeParse(raw);
      if (!parsed.success) {
        log.push(`unparsable message from the media process: ${parsed.error.message}\n`);
        return;
      }
      const m = parsed.data;
      if (m.type === 'ready') resolve();
      else if (m.type === 'answered') answeredListeners.forEach((f) => f(m.id));
      else if (m.type === 'report') reports.set(m.id, m.report);
      else {
        fatal = m.message;
        log.push(`fatal: ${m.message}\n`);
        reject(new Error(`caller media process failed: ${m.message}`));
      }
      notify();
    });
    child.once('exit', (code) => {
      exited = true;
      writeFileSync(logFile, log.join(''));
      reject(new Error(`caller media process exited with ${code}: ${fatal ?? log.join('')}`));
      notify();
    });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await ready.finally(() => clearTimeout(timer));
  let nice = 0;
  try {
    nice = child.pid === undefined ? 0 : getPriority(child.pid);
  } catch {
    // gone already: its exit is reported
  }
  return {
    nice,
    tell: (m) => {
      if (!exited && child.connected) child.send(m);
    },
    onAnswered: (f) => void answeredListeners.push(f),
    reports: async (count, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (reports.size < count && !exited && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          changed.push(resolve);
          setTimeout(resolve, 250);
        });
      }
      return reports;
    },
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
