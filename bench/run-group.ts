/**
 * Runs one plan group: starts the stack with one system in one voice mode,
 * offers it each load in turn (every repetition), and measures each run from
 * the wire and from /proc. The stack is started once per group; between
 * runs it waits until every call's room is empty, so runs do not overlap.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { loadRouting } from '../contracts/routing.ts';
import { sleep, type ManagedProcess } from '../test/harness/process.ts';
import { startStack, type Stack } from '../test/harness/stack.ts';
import { REPO_ROOT } from '../test/harness/tools.ts';
import { burst, poisson } from './load/arrivals.ts';
import { runLoad } from './load/run-callers.ts';
import { CLOUD_SCRIPT, OFFLINE_SCRIPT, scriptTranscripts } from './load/scripts.ts';
import {
  ADMISSION_WORKER_CPUS,
  patternLabel,
  type ArrivalPattern,
  type PlanGroup,
} from './plan.ts';
import type { RunRecord } from './report/document.ts';
import { summarizeRun } from './report/summarize.ts';
import { workerCgroup, type WorkerCgroup } from './resources/cgroup.ts';
import { cpuSplit, pinWorker, type CpuSplit } from './resources/pin.ts';
import { waitForQuietHost } from './resources/quiet-host.ts';
import { startResourceSampler } from './resources/sampler.ts';
import { startCloudFakes, type CloudFakesProcess } from './systems/fakes.ts';
import { ourWorkerEnv } from './systems/ours.ts';
import { startPeerWorker } from './systems/peer.ts';
import { analyzeRun } from './wire/analyze.ts';

export const BENCH_ROUTING_FILE = join(REPO_ROOT, 'bench/routing.yaml');

export type GroupOptions = Readonly<{
  /** Stack port slot (test/harness/ports.ts). */
  slot: number;
  repetitions: number;
  /** Where every run's artifacts (pcap, caller logs, worker logs) go. */
  outDir: string;
  /** Write V8 CPU profiles of our worker and its job processes here. */
  profileDir?: string;
  ringTimeoutSeconds: number;
  /** The worker on its own CPUs, the rest of the run on the others (BENCH_WORKER_CPUS). */
  cpuSplit?: CpuSplit;
  /** Extra environment for our worker, over the system's (BENCH_AGENT_ENV), for paired runs. */
  agentEnv?: Readonly<Record<string, string>>;
  log: (line: string) => void;
}>;

/**
 * @example
 * const runs = await runGroup({ system: 'ours', voice: 'cloud-zero', loads }, { slot: 9, repetitions: 1, outDir, ringTimeoutSeconds: 30, log: console.log });
 */
export async function runGroup(group: PlanGroup, opts: GroupOptions): Promise<RunRecord[]> {
  const name = `${group.system}-${group.voice}`;
  // Systems compared in one voice mode hear the same caller; the offline voice needs its grammar's words.
  const script = group.voice === 'offline' ? OFFLINE_SCRIPT : CLOUD_SCRIPT;
  let fakes: CloudFakesProcess | undefined;
  let stack: Stack | undefined;
  let peer: ManagedProcess | undefined;
  let cgroup: WorkerCgroup | undefined;
  const runs: RunRecord[] = [];
  try {
    if (group.voice !== 'offline') {
      fakes = await startCloudFakes({
        profile: group.voice === 'cloud-typical' ? 'typical' : 'zero',
        transcripts: scriptTranscripts(script),
        // The recordings' word gaps stay under 100 ms; a caller's mid-sentence pause is 300 ms or more.
        segmentSilenceMs: 250,
        logFile: join(opts.outDir, `${name}-fakes.log`),
      });
    }
    const voiceEnv = fakes ? voiceEnvOf(group.voice, fakes.agentEnv) : { VOICE_MODE: 'offline' };
    const ours = group.system !== 'peer';
    if (!ours && group.voice === 'realtime-zero')
      throw new Error('the peer has no realtime stand-in: run it on a cloud-shaped voice');
    const split = opts.cpuSplit ?? admissionSplit(group.system);
    // Our worker pinned to its CPUs also gets a pod's CPU limit of as many, so its CPU guard reads its own use.
    const made = ours && split ? workerCgroup(split.worker.length) : undefined;
    cgroup = typeof made === 'object' ? made : undefined;
    if (typeof made === 'string') opts.log(`  ${made}: pinned only, the worker's CPU guard off`);
    opts.log(
      `starting ${name}: livekit-server, livekit-sip, dispatch and ${ours ? 'our' : 'the peer'} worker`,
    );
    stack = await startStack({
      slot: opts.slot,
      name: `bench-${name}`,
      routingFile:
        group.system === 'ours-admission' || group.system === 'ours-admission-queue'
          ? shippedAdmission(BENCH_ROUTING_FILE, opts.outDir, group.system)
          : BENCH_ROUTING_FILE,
      agent: ours,
      ...(ours
        ? {
            agentEnv: {
              ...ourWorkerEnv(group.system, voiceEnv, { cpuGuard: cgroup !== undefined }),
              ...opts.agentEnv,
            },
            ...(cgroup ? { agentLaunch: cgroup.launch } : {}),
          }
        : {}),
      ...(ours && opts.profileDir
        ? { agentNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(opts.profileDir, name)}`] }
        : {}),
    });
    if (!ours) {
      if (!fakes) throw new Error('the peer has no offline voice: run it on a cloud-shaped voice');
      peer = await startPeerWorker(stack, {
        env: fakes.peerEnv,
        logFile: join(stack.runDir, 'peer.log'),
        // Like our worker's AGENT_MAX_CALLS=1000 and AGENT_CPU_LOAD_LIMIT=0: no threshold, and a
        // load counted in jobs. livekit-server never assigns a job to a worker reporting load >= 1,
        // which the framework's CPU load reaches when the stack saturates the machine.
        loadThreshold: Infinity,
      });
    }
    const workerPid = (ours ? stack.processes.get('agent')?.pid : peer?.pid) ?? 0;
    if (split) {
      pinWorker(split, workerPid);
      opts.log(
        `  worker on CPU ${split.worker.join(',')}, the stack and callers on ${split.rest.join(',')}`,
      );
    }
    if (cgroup) opts.log(`  worker in ${cgroup.describe}`);
    const sipPid = stack.processes.get('sip')?.pid ?? 0;
    const serverPid = stack.processes.get('livekit')?.pid ?? 0;
    // The job pool fills right after registration: let it settle before the first caller.
    await waitForQuietHost();

    for (const load of group.loads) {
      for (let rep = 1; rep <= opts.repetitions; rep++) {
        const label = patternLabel(load);
        const dir = join(opts.outDir, name, `${label.replace(/[^a-z0-9.]+/gi, '-')}-r${rep}`);
        mkdirSync(dir, { recursive: true });
        let talking = 0;
        let peakTalking = 0;
        const startedAt = new Date().toISOString();
        const sampler = startResourceSampler({
          workerPid,
          livekitSipPid: sipPid,
          livekitServerPid: serverPid,
          talkingCalls: () => talking,
        });
        let lastPrint = 0;
        const artifacts = await runLoad({
          stack,
          arrivals: arrivalsOf(load),
          script,
          workDir: dir,
          ringTimeoutSeconds: opts.ringTimeoutSeconds,
          onProgress: (p) => {
            talking = p.talking;
            peakTalking = Math.max(peakTalking, talking);
            const now = Date.now();
            if (now - lastPrint > 5000 || p.ended === p.total) {
              lastPrint = now;
              opts.log(
                `  ${name} ${label} r${rep}: ${p.started}/${p.total} rang, ${p.answered} answered, ${p.ended} ended`,
              );
            }
          },
        });
        const resources = await sampler.stop();
        const calls = analyzeRun(artifacts);
        const summary = summarizeRun(calls, resources, {
          offered: artifacts.callers.length,
          peakTalkingCalls: peakTalking,
        });
        runs.push({
          system: group.system,
          voice: group.voice,
          pattern: load,
          label,
          repetition: rep,
          startedAt,
          artifactsDir: dir,
          summary,
          resources,
          calls,
        });
        await waitForEmptyRooms(stack);
      }
    }
  } finally {
    await peer?.stop();
    await stack?.stop();
    await fakes?.stop();
    cgroup?.remove();
  }
  return runs;
}

/** The admission rows' worker alone on its last CPUs (ADMISSION_WORKER_CPUS), where the machine has more. */
function admissionSplit(system: PlanGroup['system']): CpuSplit | undefined {
  if (system !== 'ours-admission' && system !== 'ours-admission-queue') return undefined;
  const cores = cpus().length;
  if (cores <= ADMISSION_WORKER_CPUS) return undefined;
  return cpuSplit(`${cores - ADMISSION_WORKER_CPUS}-${cores - 1}`, cores);
}

function arrivalsOf(p: ArrivalPattern): readonly number[] {
  return p.kind === 'burst'
    ? burst(p.callers, p.perSecond)
    : poisson(p.perSecond, p.durationSeconds, p.seed);
}

/** Until no room has a participant left (bounded), then the job pool's refill. */
async function waitForEmptyRooms(stack: Stack): Promise<void> {
  const rooms = new RoomServiceClient(
    stack.livekit.httpUrl,
    stack.livekit.apiKey,
    stack.livekit.apiSecret,
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const list = await rooms.listRooms().catch(() => undefined);
    if (list && list.every((r) => r.numParticipants === 0)) break;
    await sleep(500);
  }
  // The job pool refills once the calls' processes have exited.
  await sleep(2000);
  await waitForQuietHost();
}

/**
 * A copy of the benchmark's routing file with the trunk's ring timeout left
 * to the product's default (3 s): the admission rows measure the refusals,
 * or (`ours-admission-queue`) the callers handed to the queue.
 */
function shippedAdmission(
  file: string,
  dir: string,
  system: 'ours-admission' | 'ours-admission-queue',
): string {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { inboundTrunk: Record<string, unknown> };
  delete doc.inboundTrunk['ringTimeoutSeconds'];
  if (system === 'ours-admission-queue') doc.inboundTrunk['whenNoAgent'] = 'queue';
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, `routing-${system}.yaml`);
  writeFileSync(copy, toYaml(doc));
  // Written out: the test stacks would otherwise ring longer (test/harness/stack.ts).
  doc.inboundTrunk['ringTimeoutSeconds'] = loadRouting(copy).inboundTrunk.ringTimeoutSeconds;
  writeFileSync(copy, toYaml(doc));
  return copy;
}

/**
 * Our worker's voice environment on the stand-ins; on `realtime-zero` every
 * persona answers through the Realtime stand-in of the same FAKE OpenAI.
 */
function voiceEnvOf(
  voice: PlanGroup['voice'],
  agentEnv: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (voice !== 'realtime-zero') return agentEnv;
  return {
    ...agentEnv,
    OPENAI_REALTIME_BASE_URL: agentEnv['OPENAI_BASE_URL'] ?? '',
    OPENAI_REALTIME_MODEL: 'fake-realtime',
  };
}
