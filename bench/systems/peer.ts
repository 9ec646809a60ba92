/**
 * The benchmark's peer worker: LiveKit Agents for Python 1.8.9 running
 * bench/peer/agent.py from the venv bench/setup.sh installs
 * (.tools/bench-python/), registered with the stack's livekit-server under the
 * routing file's agent name, so the stack's dispatch rules send it the calls
 * our worker would get (run one of the two at a time).
 *
 * Process layout, for the resource sampler: the worker's main process
 * (`ManagedProcess.pid`) starts a multiprocessing forkserver, which forks the
 * job processes (one per call plus warm idle ones; the prewarm hook loads
 * Silero there); a multiprocessing resource tracker may run beside it. Every
 * one of them is a descendant of the main pid and, being in its process
 * group, is stopped with it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { httpOk, ManagedProcess } from '../../test/harness/process.ts';
import type { Stack } from '../../test/harness/stack.ts';
import { REPO_ROOT } from '../../test/harness/tools.ts';

/** The venv's interpreter (bench/setup.sh). */
export const PEER_PYTHON = join(REPO_ROOT, '.tools/bench-python/bin/python');
export const PEER_AGENT_FILE = join(REPO_ROOT, 'bench/peer/agent.py');
/** What the worker logs once livekit-server has accepted its registration. */
const REGISTERED = '"registered worker"';

/**
 * The cloud stand-ins as the FAKE providers announce them for Python plugins
 * (test/fakes/cloud.ts `python`): the Deepgram `/v1/listen` URL, the OpenAI
 * and ElevenLabs `/v1` bases, and the keys in `env`.
 */
export type PeerStandIns = Readonly<{
  deepgramBaseUrl: string;
  openaiBaseUrl: string;
  elevenlabsBaseUrl: string;
  env: Readonly<Record<string, string>>;
}>;

/**
 * The environment bench/peer/agent.py reads for the stand-ins.
 *
 * @throws when a provider's key is missing.
 * @example
 * const fakes = await startCloudFakes({ script: ["I'd like to talk to a person."] });
 * await startPeerWorker(stack, { env: peerStandInEnv(fakes.python, fakes.agentEnv['OPENAI_MODEL']) });
 */
export function peerStandInEnv(
  standIns: PeerStandIns,
  openaiModel?: string,
): Record<string, string> {
  const key = (...names: string[]) => {
    const value = names.map((n) => standIns.env[n]).find((v) => v);
    if (!value) throw new Error(`the stand-ins announce no ${names.join(' or ')}`);
    return value;
  };
  return {
    DEEPGRAM_BASE_URL: standIns.deepgramBaseUrl,
    DEEPGRAM_API_KEY: key('DEEPGRAM_API_KEY'),
    OPENAI_BASE_URL: standIns.openaiBaseUrl,
    OPENAI_API_KEY: key('OPENAI_API_KEY'),
    ...(openaiModel ? { OPENAI_MODEL: openaiModel } : {}),
    ELEVENLABS_BASE_URL: standIns.elevenlabsBaseUrl,
    ELEVENLABS_API_KEY: key('ELEVENLABS_API_KEY', 'ELEVEN_API_KEY'),
  };
}

export type PeerWorkerOptions = Readonly<{
  /**
   * The cloud stand-ins (DEEPGRAM_BASE_URL/_API_KEY, OPENAI_BASE_URL/_API_KEY/_MODEL,
   * ELEVENLABS_BASE_URL/_API_KEY) and any PEER_* override (PEER_AGENT_NAME, PEER_TRANSFER_TO).
   */
  env: Readonly<Record<string, string>>;
  /** Worker log (JSON lines, job processes included); default `<runDir>/peer.log`. */
  logFile?: string;
  /** Worker load at which it reports itself full; default the framework's (0.7). */
  loadThreshold?: number;
  /** Echo the worker's output, prefixed, to stdout. */
  echo?: boolean;
}>;

/**
 * Starts the peer worker on the stack's agent health port and resolves once
 * it has registered with livekit-server and its health endpoint answers.
 *
 * @example
 * const stack = await startStack({ slot: 8, name: 'peer', agent: false });
 * const peer = await startPeerWorker(stack, { env: fakes.peerEnv });
 * const workerPid = peer.pid; // job processes are its descendants
 * await peer.stop();
 */
export async function startPeerWorker(
  stack: Stack,
  opts: PeerWorkerOptions,
): Promise<ManagedProcess> {
  if (!existsSync(PEER_PYTHON)) {
    throw new Error(`${PEER_PYTHON} is missing: run bench/setup.sh (scripts/setup.sh runs it)`);
  }
  const logFile = opts.logFile ?? join(stack.runDir, 'peer.log');
  // The log is appended to: only lines written after this start count.
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const port = stack.ports.agentHealth;
  return ManagedProcess.start(
    {
      name: 'peer',
      command: PEER_PYTHON,
      args: [PEER_AGENT_FILE, 'start'],
      cwd: REPO_ROOT,
      env: {
        PYTHONUNBUFFERED: '1',
        ...opts.env,
        ...(opts.loadThreshold === undefined
          ? {}
          : { PEER_LOAD_THRESHOLD: String(opts.loadThreshold) }),
        LIVEKIT_URL: stack.livekit.wsUrl,
        LIVEKIT_API_KEY: stack.livekit.apiKey,
        LIVEKIT_API_SECRET: stack.livekit.apiSecret,
        PEER_HTTP_PORT: String(port),
      },
      logFile,
      ready: async () =>
        logTail(logFile, logStart).includes(REGISTERED) &&
        (await httpOk(`http://127.0.0.1:${port}/`)),
      // Imports, the forkserver and the warm job processes take a while on a busy machine.
      readyTimeoutMs: 120_000,
      // SIGTERM drains (waits for calls) in `start` mode: the grace bounds it.
      stopTimeoutMs: 10_000,
    },
    opts.echo ?? false,
  );
}

function logTail(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

/** The peer worker's processes right now, by role, read from /proc. */
export type PeerProcesses = Readonly<{
  worker: number;
  /** Job processes (calls and warm idle ones), forked by the forkserver. */
  jobs: readonly number[];
  /** Other descendants: the forkserver, the resource tracker. */
  helpers: readonly number[];
}>;

/**
 * Classifies the descendants of the peer worker's main process: the
 * forkserver's children are job processes, every other descendant a helper.
 *
 * @example
 * peerProcesses(peer.pid ?? 0).jobs.length; // warm idle processes plus one per call
 */
export function peerProcesses(workerPid: number): PeerProcesses {
  const children = new Map<number, number[]>();
  const cmdlines = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ppid = parentPid(pid);
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    cmdlines.set(pid, readProc(pid, 'cmdline').replaceAll('\0', ' '));
  }
  const jobs: number[] = [];
  const helpers: number[] = [];
  const walk = (pid: number, underForkserver: boolean) => {
    for (const child of children.get(pid) ?? []) {
      (underForkserver ? jobs : helpers).push(child);
      const isForkserver = /multiprocessing\.forkserver|forkserver/.test(cmdlines.get(child) ?? '');
      walk(child, underForkserver || isForkserver);
    }
  };
  walk(workerPid, false);
  return { worker: workerPid, jobs, helpers };
}

function parentPid(pid: number): number | undefined {
  // The command name (2nd field) may hold spaces and parentheses: split after the last ')'.
  const stat = readProc(pid, 'stat');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) && stat ? ppid : undefined;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
