/**
 * The job process's logger once its call is known: every line, the
 * framework's included, carries the call's correlation fields and has its
 * personal data masked (caller numbers, transcripts, digits, the framework's
 * `lk.pii.*` fields). One job process serves one call, so the process-wide
 * logger becomes the call's.
 */
import { log, loggerOptions } from '@livekit/agents';
import { pino, type Logger } from 'pino';
import { maskPhone, redactFields, redactText } from '../../../contracts/redact.ts';

/**
 * What a call's parts log through: the call's pino logger in production, a
 * recording stand-in in unit tests. Lines carry the call's correlation fields.
 */
export type CallLogger = Readonly<{
  info: (fields: object, msg: string) => void;
  warn: (fields: object, msg: string) => void;
  error: (fields: object, msg: string) => void;
}>;

/** Where agents-js keeps its process-wide logger (shared by every copy of the package). */
const AGENTS_LOGGER = Symbol.for('@livekit/agents:logger');

/** Log fields of ours that hold personal data, and how each is masked. */
const MASKS: Readonly<Record<string, (value: unknown) => unknown>> = Object.freeze({
  ani: (v) => (typeof v === 'string' ? maskPhone(v) : '[redacted]'),
  transcript: (v) => (typeof v === 'string' ? redactText(v) : '[redacted]'),
  summary: (v) => (typeof v === 'string' ? redactText(v) : '[redacted]'),
  uuiFields: (v) => (isStringRecord(v) ? redactFields(v) : '[redacted]'),
  xHeaders: (v) => (isStringRecord(v) ? redactFields(v) : '[redacted]'),
});

function isStringRecord(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.values(v as object).every((x) => typeof x === 'string')
  );
}

/**
 * Masks the personal data in one log object (or a logger's bindings).
 *
 * @example
 * redactLogFields({ ani: '+15551234567', 'lk.pii.user_transcript': 'my pin is 2040' });
 * // { ani: '+•••••••••67', 'lk.pii.user_transcript': 'my pin is [number]' }
 */
export function redactLogFields(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const mask = MASKS[key];
    if (mask) out[key] = mask(value);
    else if (key.startsWith('lk.pii.'))
      out[key] = typeof value === 'string' ? redactText(value) : '[redacted]';
    else out[key] = value;
  }
  return out;
}

/**
 * Makes the process-wide logger the call's and returns it. With pretty
 * (development) logging the framework's logger is kept and only ours is
 * masked.
 *
 * @example
 * const callLog = useCallLogger({ genesysConversationId, sipCallId, room, jobId, persona, route });
 */
export function useCallLogger(fields: Readonly<Record<string, string | undefined>>): Logger {
  const current = log();
  const correlation = Object.fromEntries(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (loggerOptions()?.pretty) {
    return current.child(correlation, { formatters: { log: redactLogFields } });
  }
  const root = pino(
    {
      level: current.level,
      serializers: { error: pino.stdSerializers.err },
      // Applied to every log object and to every child logger's bindings.
      formatters: { log: redactLogFields, bindings: redactLogFields },
    },
    process.stdout,
  );
  const callLogger = root.child({ ...current.bindings(), ...correlation });
  (globalThis as Record<symbol, unknown>)[AGENTS_LOGGER] = callLogger;
  return callLogger;
}
