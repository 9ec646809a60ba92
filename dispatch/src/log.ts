/**
 * Dispatch's structured logger: one JSON object per line on stdout. Messages
 * are static; variable data goes in fields.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const write = (level: Level, msg: string, fields?: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'dispatch', msg, ...fields })}\n`,
  );

export const log = {
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
