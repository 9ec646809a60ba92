/**
 * The FAKE cloud providers (test/fakes/: Deepgram, OpenAI and ElevenLabs
 * stand-ins speaking their real wire protocols) in a process of their own,
 * so their CPU is neither the worker's nor the load generator's.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCloudFakesAnnouncement } from '../../test/fakes/announcement.ts';
import { REPO_ROOT } from '../../test/harness/tools.ts';
import { peerStandInEnv } from './peer.ts';

export type CloudFakesProcess = Readonly<{
  /** Environment for our worker: VOICE_MODE=cloud, keys and base URLs. */
  agentEnv: Readonly<Record<string, string>>;
  /** Environment for the Python peer: the same stand-ins, in the names it reads. */
  peerEnv: Readonly<Record<string, string>>;
  pid: number;
  stop: () => Promise<void>;
}>;

/**
 * @example
 * const fakes = await startCloudFakes({ profile: 'zero', transcripts: ['hello'], segmentSilenceMs: 250, logFile: '/tmp/fakes.log' });
 */
export async function startCloudFakes(opts: {
  profile: 'zero' | 'typical';
  transcripts: readonly string[];
  /** Silence that ends a caller's speech segment for the FAKE Deepgram. */
  segmentSilenceMs: number;
  logFile: string;
}): Promise<CloudFakesProcess> {
  const scriptFile = `${opts.logFile}.script.json`;
  writeFileSync(scriptFile, JSON.stringify(opts.transcripts));
  const child = spawn(
    process.execPath,
    [
      'test/fakes/main.ts',
      '--profile',
      opts.profile,
      '--script',
      scriptFile,
      '--segment-silence-ms',
      String(opts.segmentSilenceMs),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the cloud fakes did not start; see ${opts.logFile}`)),
      30_000,
    );
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    lines.on('line', (line) => log.write(`${line}\n`));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the cloud fakes exited with ${code}; see ${opts.logFile}`));
    });
  });
  const announced = parseCloudFakesAnnouncement(first);
  return {
    agentEnv: announced.agentEnv,
    peerEnv: peerStandInEnv(announced.python, announced.agentEnv['OPENAI_MODEL']),
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
