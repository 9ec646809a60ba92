/**
 * A FAKE of ElevenLabs' text-to-speech API (`https://api.elevenlabs.io/v1`)
 * on 127.0.0.1, speaking the real wire protocol so the real plugins
 * (`@livekit/agents-plugin-elevenlabs`, `livekit-plugins-elevenlabs`) run
 * against it unchanged: the `multi-stream-input` and `stream-input`
 * WebSockets (base64 PCM with character alignment, `isFinal` per context),
 * the chunked HTTP `/text-to-speech/{voice}/stream`, and `/voices`.
 * Audio is cut from one pre-rendered speech clip (see speech-clip.ts):
 * nothing is synthesized per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { ElevenLabsSession } from './elevenlabs-session.ts';
import { LATENCY_PROFILES, type LatencyProfile } from './latency.ts';
import { loadSpeechClip } from './speech-clip.ts';
import { paceSpeech } from './speech-pacing.ts';
import { parseOutputFormat, speechSource, type OutputFormat } from './speech-source.ts';
import { acceptWebSocket, rejectUpgrade } from './websocket.ts';

export type FakeElevenLabsOptions = Readonly<{
  profile?: LatencyProfile;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  log?: (line: string) => void;
}>;

export type FakeElevenLabsCounters = Readonly<{
  /** WebSocket connections accepted. */
  connections: number;
  open: number;
  refused: number;
  /** Synthesis contexts opened over all connections. */
  contexts: number;
  /** Characters of text received (WebSocket and HTTP). */
  characters: number;
  /** Audio sent, in seconds. */
  audioSeconds: number;
  /** HTTP synthesis requests (`/stream`). */
  httpRequests: number;
}>;

export type FakeElevenLabs = Readonly<{
  /** `baseURL` for both plugins and ELEVENLABS_BASE_URL: `http://host:port/v1`. */
  url: string;
  counters: () => FakeElevenLabsCounters;
  /**
   * From now on, a text matching `pattern` stalls mid-sentence (its first
   * words, then no more audio and no `isFinal`); undefined speaks all again.
   */
  stallOn: (pattern: RegExp | undefined) => void;
  close: () => Promise<void>;
}>;

const SPEECH_PATH =
  /^\/v1\/text-to-speech\/([A-Za-z0-9_-]+)(\/stream|\/multi-stream-input|\/stream-input)?$/;

/** Formats encoded at start-up: `livekit-plugins-elevenlabs`' default (PCM is always ready). */
const PRERENDERED_FORMATS = ['mp3_22050_32'];

/** The `output_format` query (ElevenLabs' default when absent), or why the fake cannot serve it. */
function outputFormatOf(url: URL): OutputFormat | string {
  return parseOutputFormat(url.searchParams.get('output_format') ?? 'mp3_44100_128');
}

const httpBody = z.object({ text: z.string().min(1), model_id: z.string().optional() }).loose();

/**
 * @example
 * const elevenlabs = await startFakeElevenLabs({ profile: latencyProfile('typical') });
 * new elevenlabs.TTS({ apiKey: 'fake', baseURL: elevenlabs.url, encoding: 'pcm_16000' });
 */
export async function startFakeElevenLabs(
  opts: FakeElevenLabsOptions = {},
): Promise<FakeElevenLabs> {
  const profile = opts.profile ?? LATENCY_PROFILES.zero;
  const log = opts.log ?? (() => {});
  // Rendered now, so no request waits for flite, sox or an MP3 encoder.
  loadSpeechClip();
  for (const name of PRERENDERED_FORMATS) {
    const format = parseOutputFormat(name);
    if (typeof format === 'string') continue;
    try {
      speechSource(format);
    } catch (err) {
      log(
        `FAKE ElevenLabs: ${name} unavailable: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  const c = {
    connections: 0,
    open: 0,
    refused: 0,
    contexts: 0,
    characters: 0,
    audioMs: 0,
    http: 0,
  };
  const sockets = new Set<Duplex>();
  let stallPattern: RegExp | undefined;

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const refuse = (status: number, why: string) => {
      c.refused++;
      log(`FAKE ElevenLabs: refused a connection (${status} ${why})`);
      rejectUpgrade(socket, status, why);
    };
    const kind = SPEECH_PATH.exec(url.pathname)?.[2];
    if (kind !== '/multi-stream-input' && kind !== '/stream-input')
      return refuse(404, `no WebSocket at ${url.pathname}`);
    if (!req.headers['xi-api-key']) return refuse(401, 'missing xi-api-key');
    const format = outputFormatOf(url);
    if (typeof format === 'string') return refuse(400, format);
    let source;
    try {
      source = speechSource(format);
    } catch (err) {
      return refuse(400, err instanceof Error ? err.message : String(err));
    }
    const ws = acceptWebSocket(req, socket, head);
    c.connections++;
    c.open++;
    sockets.add(socket);
    socket.once('close', () => {
      c.open--;
      sockets.delete(socket);
    });
    new ElevenLabsSession(ws, {
      multiContext: kind === '/multi-stream-input',
      source,
      autoMode: url.searchParams.get('auto_mode') === 'true',
      profile,
      onContext: () => void c.contexts++,
      onText: (n) => void (c.characters += n),
      onAudio: (ms) => void (c.audioMs += ms),
      stalls: (text) => stallPattern?.test(text) === true,
      log,
    });
  };

  const http = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/v1/voices')
      return json(200, {
        voices: [{ voice_id: 'bIHbv24MWmeRgasZH58o', name: 'FAKE voice', category: 'premade' }],
      });
    const speech = SPEECH_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !speech || (speech[2] !== undefined && speech[2] !== '/stream'))
      return json(404, {
        detail: { status: 'not_found', message: 'FAKE ElevenLabs: no such endpoint' },
      });
    if (!req.headers['xi-api-key'])
      return json(401, { detail: { status: 'invalid_api_key', message: 'missing xi-api-key' } });
    const format = outputFormatOf(url);
    if (typeof format === 'string') return json(400, { detail: { message: format } });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: z.infer<typeof httpBody>;
      try {
        body = httpBody.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return json(422, { detail: { message: 'FAKE ElevenLabs: body must be JSON with text' } });
      }
      let source;
      try {
        source = speechSource(format);
      } catch (err) {
        return json(400, { detail: { message: err instanceof Error ? err.message : String(err) } });
      }
      c.http++;
      c.characters += body.text.trim().length;
      const abort = new AbortController();
      res.on('close', () => abort.abort(new Error('client went away')));
      res.writeHead(200, { 'content-type': source.mimeType, 'transfer-encoding': 'chunked' });
      paceSpeech({
        text: body.text,
        source,
        profile,
        committedAt: Date.now(),
        signal: abort.signal,
        send: (chunk) => {
          c.audioMs += chunk.ms;
          res.write(chunk.audio);
        },
      }).then(
        () => res.end(),
        () => res.destroy(),
      );
    });
  };

  const server: Server = createServer(http);
  server.on('upgrade', upgrade);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  log(`FAKE ElevenLabs listening on http://${host}:${port}/v1 (profile ${profile.name})`);

  return Object.freeze({
    url: `http://${host}:${port}/v1`,
    counters: () => ({
      connections: c.connections,
      open: c.open,
      refused: c.refused,
      contexts: c.contexts,
      characters: c.characters,
      audioSeconds: Math.round(c.audioMs) / 1000,
      httpRequests: c.http,
    }),
    stallOn: (pattern: RegExp | undefined) => {
      stallPattern = pattern;
      log(
        pattern
          ? `FAKE ElevenLabs: texts matching ${pattern} stall`
          : 'FAKE ElevenLabs: speaking all',
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
