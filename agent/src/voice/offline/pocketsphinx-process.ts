/**
 * One `pocketsphinx_continuous` process decoding a live stream: raw 16 kHz
 * 16-bit mono PCM goes in, one hypothesis per utterance comes back on its
 * stdout (the program segments utterances with its own voice activity
 * detector). End of input makes it decode what is left and exit, so a parent
 * that dies leaves no decoder behind either.
 *
 * Audio goes through a FIFO, not stdin: the program `fopen`s its `-infile`,
 * and Node's stdio pipes are sockets, which `/dev/stdin` cannot open (ENXIO).
 * The FIFO is unlinked as soon as both ends are open.
 *
 * Failures (binary missing, bad model or grammar, a crash) are reported as
 * `APIConnectionError`s carrying the program's own ERROR lines.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, open } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { APIConnectionError } from '@livekit/agents';
import { makePrivateDir } from '../../worker/private-dir.ts';
import { HypothesisParser, type Hypothesis } from './pocketsphinx-output.ts';

const openFd = promisify(open);
const run = promisify(execFile);

/** Sample rate of the PCM the process reads. */
export const POCKETSPHINX_SAMPLE_RATE = 16000;

export type PocketsphinxArgs = Readonly<{
  /** `pocketsphinx_continuous` executable name or path. */
  binary: string;
  hmmDir: string;
  dictPath: string;
  grammarPath: string;
  /** Replaces the model's `feat.params` when set. */
  featParamsPath?: string;
  /** Silence (10 ms frames) that ends an utterance. */
  endSilenceFrames: number;
  /** The user's own directory (mode 0700) the decoder's input FIFO is made in. */
  fifoDir: string;
}>;

type Child = ChildProcessByStdio<null, Readable, Readable>;
type Exit = Readonly<{ code: number | null; signal: NodeJS.Signals | null }>;

/** ERROR lines kept for failure messages; the INFO log is dropped. */
const KEPT_ERROR_LINES = 5;
/** How often to try the FIFO while the decoder loads its model. */
const CONNECT_POLL_MS = 20;
/** Longest model load tolerated before the decoder counts as hung. */
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The command-line arguments for a live decoder reading `input`.
 *
 * @example
 * spawn('pocketsphinx_continuous', pocketsphinxArgv(args, '/tmp/audio.fifo'));
 */
export function pocketsphinxArgv(args: PocketsphinxArgs, input: string): string[] {
  return [
    ['-infile', input],
    ['-samprate', String(POCKETSPHINX_SAMPLE_RATE)],
    ['-hmm', args.hmmDir],
    ['-dict', args.dictPath],
    ['-jsgf', args.grammarPath],
    ['-vad_postspeech', String(args.endSilenceFrames)],
    ['-time', 'yes'],
    ...(args.featParamsPath === undefined ? [] : [['-featparams', args.featParamsPath]]),
  ].flat();
}

/**
 * @example
 * const proc = await PocketsphinxProcess.start(args, (hyp) => console.log(hyp.text));
 * await proc.write(pcm16kMono);
 * await proc.finish(); // decodes the rest, waits for exit
 */
export class PocketsphinxProcess {
  readonly #child: Child;
  readonly #binary: string;
  readonly #errors: string[] = [];
  readonly #closed: Promise<Exit>;
  #audio: Socket | undefined;
  #audioError: Error | undefined;
  #exit: Exit | undefined;
  #killed = false;

  private constructor(child: Child, binary: string, onHypothesis: (hyp: Hypothesis) => void) {
    this.#child = child;
    this.#binary = binary;
    const parser = new HypothesisParser();
    const deliver = (hyps: Hypothesis[]) => hyps.forEach(onHypothesis);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => deliver(parser.push(chunk)));
    child.stdout.on('end', () => deliver(parser.end()));
    child.stderr.setEncoding('utf8');
    let partial = '';
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!/^(ERROR|FATAL)/.test(line)) continue;
        this.#errors.push(line.trim());
        if (this.#errors.length > KEPT_ERROR_LINES) this.#errors.shift();
      }
    });
    this.#closed = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#exit = { code, signal };
        this.#audio?.destroy();
        resolve(this.#exit);
      });
    });
  }

  /**
   * Spawns the decoder; resolves once it has opened its audio input.
   *
   * @throws APIConnectionError, not retryable when the binary cannot be started.
   */
  static async start(
    args: PocketsphinxArgs,
    onHypothesis: (hyp: Hypothesis) => void,
  ): Promise<PocketsphinxProcess> {
    const fifo = await makeFifo(args.fifoDir);
    try {
      const child = spawn(args.binary, pocketsphinxArgv(args, fifo), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) =>
          reject(
            new APIConnectionError({
              message: `pocketsphinx could not start ${args.binary}: ${err.message}`,
              options: { retryable: false },
            }),
          ),
        );
      });
      const proc = new PocketsphinxProcess(child, args.binary, onHypothesis);
      try {
        await proc.#connect(fifo);
      } catch (err) {
        proc.kill();
        throw err;
      }
      return proc;
    } finally {
      await unlink(fifo).catch(() => undefined);
    }
  }

  /** Opens the FIFO's write end once the decoder has opened its read end. */
  async #connect(fifo: string): Promise<void> {
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    for (;;) {
      if (this.#exit) throw this.failure('exited while loading');
      try {
        const fd = await openFd(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        const audio = new Socket({ fd, readable: false, writable: true });
        audio.on('error', (err) => (this.#audioError = err));
        this.#audio = audio;
        return;
      } catch (err) {
        // ENXIO: no reader yet, the decoder is still loading its model.
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
      }
      if (Date.now() > deadline) {
        this.kill();
        throw this.failure(`did not open its input within ${CONNECT_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_POLL_MS));
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resolves when the process has exited and its output is consumed. */
  get closed(): Promise<Exit> {
    return this.#closed;
  }

  /**
   * Writes PCM, waiting while the FIFO is full.
   *
   * @throws APIConnectionError when the process is gone.
   */
  async write(pcm: Uint8Array): Promise<void> {
    const audio = this.#audio;
    if (!audio || this.#exit || this.#audioError) throw this.failure('stopped reading audio');
    if (audio.write(pcm)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        audio.off('drain', done);
        audio.off('close', done);
        resolve();
      };
      audio.once('drain', done);
      audio.once('close', done);
    });
    if (this.#exit || this.#audioError) throw this.failure('stopped reading audio');
  }

  /**
   * Ends the input and waits for the last hypotheses and the exit.
   *
   * @throws APIConnectionError when the process fails.
   */
  async finish(): Promise<void> {
    this.#audio?.end();
    const exit = await this.#closed;
    if (exit.code !== 0 && !this.#killed) throw this.failure('failed');
  }

  /** Stops the process at once; idempotent. */
  kill(): void {
    this.#audio?.destroy();
    if (this.#exit) return;
    this.#killed = true;
    this.#child.kill('SIGTERM');
  }

  /** An error describing why the process stopped, with its last ERROR lines. */
  failure(what: string): APIConnectionError {
    const exit = this.#exit;
    const status = !exit
      ? 'running'
      : exit.signal
        ? `killed by ${exit.signal}`
        : `exited with code ${exit.code}`;
    const detail = this.#errors.length > 0 ? `: ${this.#errors.join(' | ')}` : '';
    return new APIConnectionError({
      message: `pocketsphinx (${this.#binary}) ${what}, ${status}${detail}`,
    });
  }
}

/**
 * A new FIFO in `dir`, named uniquely: the decoders of every job process and
 * worker of the user make theirs side by side.
 *
 * @throws APIConnectionError (not retryable) when `mkfifo` fails.
 */
async function makeFifo(dir: string): Promise<string> {
  const path = join(dir, `${randomUUID()}.fifo`);
  try {
    await makePrivateDir(dir);
    await run('mkfifo', ['-m', '600', path]);
    return path;
  } catch (err) {
    throw new APIConnectionError({
      message: `pocketsphinx input FIFO could not be made: ${(err as Error).message}`,
      options: { retryable: false },
    });
  }
}
