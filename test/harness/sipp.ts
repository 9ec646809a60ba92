/**
 * Runs a sipp scenario from test/sipp/ as the Genesys Cloud side of a call,
 * in its own working directory with the caller's audio, and returns every SIP
 * message it exchanged.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './tools.ts';

export const SIPP_DTMF_DIR = '/usr/share/sip-tester';

export type SippRun = Readonly<{
  scenario: string;
  workDir: string;
  /** host:port of livekit-sip; omitted for a scenario that answers calls (UAS). */
  target?: string;
  /** Called number (To / request URI user); only for calls sipp places. */
  service?: string;
  localPort: number;
  mediaPort: number;
  keys: Readonly<Record<string, string>>;
  /** Files copied into the working directory under the given names. */
  files?: Readonly<Record<string, string>>;
  timeoutSeconds?: number;
  transport?: 'u1' | 't1';
}>;

export type SipMessage = Readonly<{
  direction: 'sent' | 'received';
  /** Unix time (seconds) sipp logged the message at. */
  time: number;
  /** Request method, or undefined for a response. */
  method: string | undefined;
  status: number | undefined;
  startLine: string;
  headers: readonly (readonly [string, string])[];
  body: string;
}>;

export type SippResult = Readonly<{
  /**
   * The errors log without sipp's own load warnings (its watchdog trips when a
   * busy machine delays it): what went wrong in the scenario itself.
   */
  failures: readonly string[];
  exitCode: number;
  messages: readonly SipMessage[];
  logLines: readonly string[];
  errors: string;
}>;

export async function runSipp(run: SippRun): Promise<SippResult> {
  rmSync(run.workDir, { recursive: true, force: true });
  mkdirSync(run.workDir, { recursive: true });
  // sipp looks for pcap files next to the scenario: keep them together.
  const scenarioFile = join(run.workDir, run.scenario);
  copyFileSync(join(REPO_ROOT, 'test/sipp', run.scenario), scenarioFile);
  for (const [name, src] of Object.entries(run.files ?? {}))
    copyFileSync(src, join(run.workDir, name));
  const messageFile = join(run.workDir, 'messages.log');
  const logFile = join(run.workDir, 'scenario.log');
  const errorFile = join(run.workDir, 'errors.log');
  const args = [
    ...(run.target ? [run.target] : []),
    '-sf',
    scenarioFile,
    ...(run.service ? ['-s', run.service] : []),
    '-i',
    '127.0.0.1',
    '-p',
    String(run.localPort),
    '-mi',
    '127.0.0.1',
    '-mp',
    String(run.mediaPort),
    '-t',
    run.transport ?? 'u1',
    '-m',
    '1',
    '-l',
    '1',
    '-nostdin',
    '-timeout',
    `${run.timeoutSeconds ?? 60}s`,
    '-timeout_error',
    '-trace_msg',
    '-message_file',
    messageFile,
    '-trace_logs',
    '-log_file',
    logFile,
    '-trace_err',
    '-error_file',
    errorFile,
    ...Object.entries(run.keys).flatMap(([k, v]) => ['-key', k, v]),
  ];
  const exitCode = await new Promise<number>((resolve) => {
    execFile(
      'sipp',
      args,
      { cwd: run.workDir, timeout: ((run.timeoutSeconds ?? 60) + 15) * 1000 },
      (err) => {
        resolve(err ? (typeof err.code === 'number' ? err.code : -1) : 0);
      },
    );
  });
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'latin1') : '');
  return {
    exitCode,
    messages: parseMessageLog(read(messageFile)),
    logLines: read(logFile)
      .split('\n')
      .filter((l) => l.trim() !== ''),
    errors: read(errorFile),
    failures: scenarioFailures(read(errorFile)),
  };
}

/** Splits sipp's -trace_msg log into messages. */
export function parseMessageLog(text: string): SipMessage[] {
  const parts = text.split(/^-{20,}.*$/m);
  const times = [...text.matchAll(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)/gm)].map(
    (m) => Date.parse((m[1] ?? '').replace(' ', 'T')) / 1000, // sipp logs local time
  );
  const messages: SipMessage[] = [];
  parts.slice(1).forEach((part, index) => {
    const lines = part.replace(/^\s*\n/, '').split(/\r?\n/);
    // First line: "UDP message sent (944 bytes):" or "... message received [..] bytes :".
    const direction = /message received/i.test(lines[0] ?? '') ? 'received' : 'sent';
    const startIdx = lines.findIndex((l) =>
      /^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(l.trim()),
    );
    if (startIdx < 0) return;
    const startLine = (lines[startIdx] ?? '').trim();
    const headers: [string, string][] = [];
    let i2 = startIdx + 1;
    for (; i2 < lines.length; i2++) {
      const line = lines[i2] ?? '';
      if (line.trim() === '') break;
      const colon = line.indexOf(':');
      if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    const statusMatch = /^SIP\/2\.0 (\d{3})/.exec(startLine);
    messages.push({
      direction,
      time: times[index] ?? 0,
      method: statusMatch ? undefined : startLine.split(' ')[0],
      status: statusMatch ? Number(statusMatch[1]) : undefined,
      startLine,
      headers,
      body: lines
        .slice(i2 + 1)
        .join('\n')
        .trim(),
    });
  });
  return messages;
}

/** First value of a header (case-insensitive). */
export function header(msg: SipMessage, name: string): string | undefined {
  return msg.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

function scenarioFailures(errors: string): string[] {
  return errors
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) =>
        l !== '' &&
        !/^The following events occurred:/.test(l) &&
        !/Overload warning: the (minor|major) watchdog timer/.test(l),
    );
}
