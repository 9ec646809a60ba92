/**
 * The FAKE cloud providers as their own process, so their CPU is not the
 * measured worker's:
 *
 *   node test/fakes/main.ts --profile typical --script caller-lines.json [--segment-silence-ms 250]
 *
 * prints one JSON line to stdout (the agent's environment, the Python
 * plugins' base URLs, a control URL) and serves until SIGTERM or SIGINT.
 * Log lines go to stderr. The control server answers `GET /counters`,
 * `POST /deepgram/fail?after=N`, `POST /deepgram/recover`,
 * `POST /openai/fail?status=500` and `POST /openai/recover`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { CloudFakesAnnouncement } from './announcement.ts';
import { startCloudFakes, type CloudFakes } from './cloud.ts';
import { latencyProfileName } from './latency.ts';
import { readScriptFile } from './script.ts';

const port = z.coerce.number().int().min(0).max(65535).optional();

const cli = z.object({
  profile: latencyProfileName.default('zero'),
  script: z.string().min(1).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  'deepgram-port': port,
  'openai-port': port,
  'elevenlabs-port': port,
  'control-port': port,
  /** Silence that ends a caller's speech segment for the FAKE Deepgram (speech-segmenter.ts). */
  'segment-silence-ms': z.coerce.number().int().min(60).max(2000).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string' },
      script: { type: 'string' },
      host: { type: 'string' },
      'deepgram-port': { type: 'string' },
      'openai-port': { type: 'string' },
      'elevenlabs-port': { type: 'string' },
      'control-port': { type: 'string' },
      'segment-silence-ms': { type: 'string' },
    },
    strict: true,
  });
  const parsed = cli.safeParse(values);
  if (!parsed.success) {
    for (const i of parsed.error.issues) console.error(`--${i.path.join('.')}: ${i.message}`);
    process.exit(2);
  }
  const o = parsed.data;
  const log = (line: string) => console.error(line);
  const fakes = await startCloudFakes({
    profile: o.profile,
    host: o.host,
    ...(o.script ? { script: readScriptFile(o.script) } : {}),
    ports: {
      ...(o['deepgram-port'] ? { deepgram: o['deepgram-port'] } : {}),
      ...(o['openai-port'] ? { openai: o['openai-port'] } : {}),
      ...(o['elevenlabs-port'] ? { elevenlabs: o['elevenlabs-port'] } : {}),
    },
    ...(o['segment-silence-ms'] ? { segmenter: { hangoverMs: o['segment-silence-ms'] } } : {}),
    log,
  });
  const control = createServer((req, res) => answerControl(fakes, req, res));
  await new Promise<void>((resolve) => control.listen(o['control-port'] ?? 0, o.host, resolve));
  const announcement: CloudFakesAnnouncement = {
    fake: 'cloud-providers',
    pid: process.pid,
    profile: fakes.profile,
    agentEnv: fakes.agentEnv,
    python: fakes.python,
    controlUrl: `http://${o.host}:${(control.address() as AddressInfo).port}`,
  };
  process.stdout.write(`${JSON.stringify(announcement)}\n`);

  const stop = async (signal: string) => {
    log(`FAKE cloud providers: ${signal}, final counters ${JSON.stringify(fakes.counters())}`);
    control.close();
    control.closeAllConnections();
    await fakes.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

function answerControl(fakes: CloudFakes, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://control');
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const number = (name: string, fallback: number) => {
    const v = Number(url.searchParams.get(name) ?? fallback);
    return Number.isInteger(v) && v >= 0 ? v : undefined;
  };
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /counters') return reply(200, fakes.counters());
  if (route === 'POST /deepgram/fail') {
    const after = number('after', 0);
    if (after === undefined) return reply(400, { error: 'after must be a whole number' });
    fakes.deepgram.failAfter(after);
    return reply(200, { deepgram: 'failing', after });
  }
  if (route === 'POST /deepgram/recover') {
    fakes.deepgram.recover();
    return reply(200, { deepgram: 'answering' });
  }
  if (route === 'POST /openai/fail') {
    const status = number('status', 500);
    if (status === undefined || status < 400 || status > 599)
      return reply(400, { error: 'status must be an HTTP error status' });
    fakes.openai.failWith(status);
    return reply(200, { openai: 'failing', status });
  }
  if (route === 'POST /openai/recover') {
    fakes.openai.failWith(undefined);
    return reply(200, { openai: 'answering' });
  }
  reply(404, { error: `FAKE control: no ${route}` });
}

await main();
