/**
 * The SIP side of one benchmark caller: a sipp process of its own (own SIP
 * port, own working directory) running bench/sipp/bench-caller.xml, and how
 * its call ended, read back from sipp's message trace.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { header, parseMessageLog, type SipMessage } from '../../test/harness/sipp.ts';
import { REPO_ROOT } from '../../test/harness/tools.ts';
import type { CallerLog } from './artifacts.ts';

export const BENCH_CALLER_SCENARIO = join(REPO_ROOT, 'bench/sipp/bench-caller.xml');

/** How long the scenario lets a call talk before it hangs up by itself (its REFER recv's timeout). */
export const TALK_CAP_MS = 300_000;

export type SippCallerSpec = Readonly<{
  dir: string;
  /** host:port of livekit-sip. */
  target: string;
  /** Called number. */
  dnis: string;
  sipPort: number;
  /** The media process's RTP port for this call: what the SDP offers. */
  rtpPort: number;
  /** sipp binds an RTP echo socket pair (this port and +2) whatever the scenario does. */
  sippMediaPort: number;
  ringTimeoutMs: number;
  ani: string;
  conversationId: string;
  /** UUI as the Genesys flow set it (sent hex-encoded with discriminator 04). */
  uui: string;
  customerTier: string;
}>;

export type SippCallerResult = Readonly<{
  exitCode: number;
  messages: readonly SipMessage[];
  failures: readonly string[];
}>;

/**
 * Starts sipp for one call; resolves once it has exited (killed past `ring
 * timeout + talking cap + 60 s`, which sipp's own -timeout should never reach).
 *
 * @example
 * const result = await runSippCaller({ dir, target: '127.0.0.1:29060', dnis: '+18005550300', ... });
 * classifyCall(result).end; // 'refer'
 */
export function runSippCaller(spec: SippCallerSpec): Promise<SippCallerResult> {
  mkdirSync(spec.dir, { recursive: true });
  const scenario = join(spec.dir, 'bench-caller.xml');
  copyFileSync(BENCH_CALLER_SCENARIO, scenario);
  const boundSeconds = Math.ceil((spec.ringTimeoutMs + TALK_CAP_MS) / 1000) + 60;
  const files = {
    messages: join(spec.dir, 'messages.log'),
    errors: join(spec.dir, 'errors.log'),
    log: join(spec.dir, 'scenario.log'),
  };
  const keys = {
    ani: spec.ani,
    cnv: spec.conversationId,
    // Genesys puts the protocol discriminator (04, IA5 text) in front of hex UUI.
    uui: `04${Buffer.from(spec.uui, 'latin1').toString('hex')}`,
    xtier: spec.customerTier,
    rtp_port: String(spec.rtpPort),
  };
  const args = [
    spec.target,
    '-sf',
    scenario,
    '-s',
    spec.dnis,
    '-i',
    '127.0.0.1',
    '-p',
    String(spec.sipPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(spec.sippMediaPort),
    '-t',
    'u1',
    '-m',
    '1',
    '-l',
    '1',
    '-nostdin',
    '-recv_timeout',
    String(spec.ringTimeoutMs),
    '-timeout',
    `${boundSeconds}s`,
    '-timeout_error',
    '-trace_msg',
    '-message_file',
    files.messages,
    '-trace_err',
    '-error_file',
    files.errors,
    '-trace_logs',
    '-log_file',
    files.log,
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
  ];
  return new Promise((resolve) => {
    const child = spawn('sipp', args, { cwd: spec.dir, stdio: 'ignore' });
    const killer = setTimeout(() => child.kill('SIGKILL'), (boundSeconds + 15) * 1000);
    const done = (exitCode: number) => {
      clearTimeout(killer);
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'latin1') : '');
      resolve({
        exitCode,
        messages: parseMessageLog(read(files.messages)),
        failures: scenarioFailures(read(files.errors)),
      });
    };
    child.once('error', () => done(-1));
    child.once('exit', (code, signal) => done(code ?? (signal ? -1 : 0)));
  });
}

/** sipp's own notices that are not failures of the call: load watchdog, the scenario's designed jumps. */
const BENIGN = [
  /^The following events occurred:/,
  /Overload warning: the (minor|major) watchdog timer/,
  /receive timeout on message bench-caller:\d+, jumping to label/,
  /^Resolving remote host/,
];

function scenarioFailures(errors: string): string[] {
  return errors
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !BENIGN.some((re) => re.test(l)));
}

export type CallClassification = Readonly<{
  end: CallerLog['end'];
  /** Epoch ms of the first INVITE sipp sent. */
  invitedAtMs: number | undefined;
  sipCallId: string | undefined;
  /** Why the call is an error, when it is one. */
  problems: readonly string[];
}>;

const cseqMethod = (m: SipMessage) => header(m, 'CSeq')?.split(/\s+/)[1]?.toUpperCase();

/**
 * How the call ended, from the caller's side of the SIP trace: CANCEL sent
 * (`cancel`), a final 4xx-6xx to the INVITE (`refused`), a REFER received
 * (`refer`), the caller's BYE (`hangup`); anything else is an `error`.
 *
 * @example
 * classifyCall(result); // { end: 'refer', invitedAtMs: 1796161146192.9, sipCallId: '1-24178@127.0.0.1', problems: [] }
 */
export function classifyCall(result: SippCallerResult): CallClassification {
  const sent = (method: string) =>
    result.messages.find((m) => m.direction === 'sent' && m.method === method);
  const received = (method: string) =>
    result.messages.find((m) => m.direction === 'received' && m.method === method);
  const invite = sent('INVITE');
  const inviteFinals = result.messages.filter(
    (m) =>
      m.direction === 'received' &&
      m.status !== undefined &&
      m.status >= 200 &&
      cseqMethod(m) === 'INVITE',
  );
  const answered = inviteFinals.some((m) => m.status !== undefined && m.status < 300);
  const refusal = inviteFinals.find((m) => m.status !== undefined && m.status >= 300);
  const problems: string[] = [];
  let end: CallerLog['end'];
  if (!invite) {
    end = 'error';
    problems.push('sipp sent no INVITE');
  } else if (sent('CANCEL')) end = 'cancel';
  else if (!answered && refusal) end = 'refused';
  else if (received('REFER')) end = 'refer';
  else if (sent('BYE')) end = 'hangup';
  else {
    end = 'error';
    if (!answered) problems.push('no final response to the INVITE');
    else if (received('BYE')) problems.push('the bridge hung up (BYE) without a REFER');
    else problems.push('the call ended without a BYE');
  }
  if (end === 'refer' && !received('BYE') && !sent('BYE')) {
    problems.push('REFER taken, but the bridge never released the call');
  }
  return {
    end,
    invitedAtMs: invite && Math.round(invite.time * 1_000_000) / 1000,
    sipCallId: invite && header(invite, 'Call-ID'),
    problems,
  };
}
