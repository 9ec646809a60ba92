/**
 * A simulated Genesys caller who reacts to what the agent does: sipp does the
 * SIP (bench/sipp/bench-caller.xml), and the benchmark's caller media
 * (media-call.ts) runs in this process on the Genesys media port,
 * hearing the agent through a speech detector over the bridge's PCMU and
 * speaking or typing RFC 4733 keys when the test's script decides. What the
 * wire carried is captured as for {@link placeGenesysCall}. It lives with the
 * benchmark's callers so that the test harness never imports the benchmark.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseRefer, type ReferSeen } from '../../test/harness/genesys-call.ts';
import { startRtpCapture, type RtpPacket } from '../../test/harness/rtp-capture.ts';
import type { Stack } from '../../test/harness/stack.ts';
import { seededRandom } from './arrivals.ts';
import type { CallerLine } from './caller-behaviour.ts';
import { CallEnded, MediaCall } from './media-call.ts';
import { paceCalls } from './pacing.ts';
import { readSippAnswer } from './sipp-answer.ts';
import { runSippCaller, type SippCallerResult } from './sipp-caller.ts';
import { renderScript } from './speech.ts';

export type ReactiveCall = Readonly<{
  dnis: string;
  ani: string;
  conversationId: string;
  /** Caller UUI text (sent hex-encoded in User-to-User). */
  uui: string;
  customerTier: string;
}>;

export type ReactiveCallReport = Readonly<{
  sipp: SippCallerResult;
  rtp: readonly RtpPacket[];
  refer: ReferSeen | undefined;
  byeReceived: boolean;
  /** Why the script stopped early, if it did (a prompt it waited for never came). */
  scriptError: string | undefined;
}>;

/** Frame RMS above which the caller counts the agent's audio as speech (as the benchmark does). */
const VOICED_RMS = 300;
/** Answer polling, in packet times. */
const ANSWER_POLL_SLOTS = 5;

/**
 * Places the call and runs `script` on its line once answered; the caller
 * hangs up when the script is done (or the call ends without it).
 *
 * @example
 * const report = await placeReactiveCall(stack, call, async (line) => {
 *   await agentTurnEnded(line, line.now(), { minSpeechMs: 1000, silenceMs: 1000 });
 *   await typeKeys(line, '1234#');
 * });
 */
export async function placeReactiveCall(
  stack: Stack,
  call: ReactiveCall,
  script: (line: CallerLine) => Promise<void>,
): Promise<ReactiveCallReport> {
  const dir = join(stack.runDir, 'reactive-caller');
  rmSync(dir, { recursive: true, force: true });
  const media = await MediaCall.bind(
    {
      id: call.conversationId,
      sipPort: stack.ports.genesysSip,
      mediaPort: stack.ports.genesysMedia,
      dir,
      seed: 1,
    },
    VOICED_RMS,
    seededRandom(1),
  );
  const capture = await startRtpCapture(
    stack.ports.genesysMedia,
    join(stack.runDir, 'genesys-media.pcap'),
  );
  let running: Promise<string | undefined> | undefined;
  const stopPacing = paceCalls(
    () => [media],
    (slot) => {
      if (running || slot % ANSWER_POLL_SLOTS !== 0 || !media.answerWritten()) return;
      const answer = readSippAnswer(dir);
      media.answer(answer.remote, answer.callId, Date.now());
      const line = media.line();
      running = script(line).then(
        () => {
          if (!media.ended) line.hangUp();
          return undefined;
        },
        (err: unknown) => {
          if (!media.ended) line.hangUp();
          return err instanceof CallEnded ? `the call ended first: ${err.message}` : String(err);
        },
      );
    },
  );
  let sipp: SippCallerResult;
  let rtp: RtpPacket[];
  try {
    sipp = await runSippCaller({
      dir,
      target: `127.0.0.1:${stack.ports.sip}`,
      dnis: call.dnis,
      sipPort: stack.ports.genesysSip,
      rtpPort: stack.ports.genesysMedia,
      // sipp binds an RTP echo pair whatever the scenario does: a port this stack leaves free.
      sippMediaPort: stack.ports.humanMedia,
      ringTimeoutMs: 30_000,
      ani: call.ani,
      conversationId: call.conversationId,
      uui: call.uui,
      customerTier: call.customerTier,
    });
  } finally {
    media.end();
    stopPacing();
    rtp = await capture.stop();
  }
  const scriptError = running ? await running : 'the call was never answered';
  const referMsg = sipp.messages.find((m) => m.direction === 'received' && m.method === 'REFER');
  return {
    sipp,
    rtp,
    refer: referMsg && parseRefer(referMsg),
    byeReceived: sipp.messages.some((m) => m.direction === 'received' && m.method === 'BYE'),
    scriptError,
  };
}

/**
 * Waits for an agent turn that starts at or after `sinceMs`, has lasted at
 * least `minSpeechMs` from its first onset to its last voiced frame, and is
 * followed by `silenceMs` of silence; resolves with when it ended (epoch ms).
 *
 * @throws when no such turn ends within `timeoutMs` (the prompt never came).
 */
export async function agentTurnEnded(
  line: CallerLine,
  sinceMs: number,
  opts: Readonly<{ minSpeechMs: number; silenceMs: number; timeoutMs?: number; what: string }>,
): Promise<number> {
  const heard = () => {
    const onset = line.agent.onsetSince(sinceMs);
    if (onset === undefined) return false;
    const silent = line.agent.silentFor(line.now());
    const lastVoiced = line.now() - silent;
    return lastVoiced - onset >= opts.minSpeechMs && silent >= opts.silenceMs;
  };
  if (!(await line.until(heard, opts.timeoutMs ?? 20_000)))
    throw new Error(`the caller never heard ${opts.what}`);
  return line.now() - line.agent.silentFor(line.now());
}

/** Types keys on the keypad (RFC 4733 events), a short gap between keys; resolves when the last is sent. */
export async function typeKeys(line: CallerLine, keys: string): Promise<number> {
  let last = line.now();
  for (const key of keys) {
    last = await line.press(key);
    await line.sleep(240);
  }
  return last;
}

/** The caller's voice for `text`: flite kal16 as the line's raw 8 kHz mu-law. */
export function callerClip(text: string, dir: string): Uint8Array {
  const rendered = renderScript(
    { name: 'reactive', utterances: [{ text, bargeIn: false }] },
    join(dir, 'speech'),
  );
  const file = rendered.utterances[0]?.parts[0]?.file;
  if (!file) throw new Error(`no speech rendered for ${JSON.stringify(text)}`);
  return new Uint8Array(readFileSync(file));
}
