/**
 * A FAKE of Deepgram's streaming speech-to-text API (`wss://api.deepgram.com/v1/listen`)
 * on 127.0.0.1, speaking the real wire protocol so the real plugins
 * (`@livekit/agents-plugin-deepgram`, `livekit-plugins-deepgram`) run
 * against it unchanged. It cannot recognize speech: it finds utterances by
 * energy and answers each with the next line of its script (see script.ts).
 * It can also fail like an outage: drop every connection after a number of
 * utterances and refuse new ones (503) until it recovers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { DeepgramSession, type ListenQuery } from './deepgram-session.ts';
import { LATENCY_PROFILES, type LatencyProfile } from './latency.ts';
import { FALLBACK_TRANSCRIPT, scriptSegments } from './script.ts';
import type { SegmenterOptions } from './speech-segmenter.ts';
import { acceptWebSocket, rejectUpgrade } from './websocket.ts';
import { keepLast } from './history.ts';

export type FakeDeepgramOptions = Readonly<{
  profile?: LatencyProfile;
  /** Caller lines, one per utterance (`|` splits a line at a pause). */
  script?: readonly string[];
  /** Said for utterances past the end of the script. */
  fallbackTranscript?: string;
  /** Energy VAD tuning, see speech-segmenter.ts. */
  segmenter?: Omit<SegmenterOptions, 'sampleRate'>;
  /** Start failing after this many final transcripts (see {@link FakeDeepgram.failAfter}). */
  failAfterUtterances?: number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  log?: (line: string) => void;
}>;

export type FakeDeepgramCounters = Readonly<{
  /** WebSocket connections accepted. */
  connections: number;
  /** Connections open now. */
  open: number;
  /** Upgrade requests refused (outage, bad query or no key). */
  refused: number;
  utterances: number;
  interims: number;
  finals: number;
  keepAlives: number;
  finalizes: number;
  closeStreams: number;
  /** Audio received over all connections, in seconds. */
  audioSeconds: number;
}>;

export type FakeDeepgram = Readonly<{
  /** `baseUrl` for the Node plugin and DEEPGRAM_BASE_URL: `ws://host:port` (it appends /v1/listen). */
  url: string;
  /** `base_url` for the Python plugin: the full `ws://host:port/v1/listen`. */
  listenUrl: string;
  counters: () => FakeDeepgramCounters;
  /** Final transcripts sent, oldest first (the last 500). */
  transcripts: () => readonly string[];
  /** The query of each connection accepted, oldest first (the last 100). */
  queries: () => readonly Readonly<Record<string, string>>[];
  /**
   * After `utterances` more final transcripts (0: now), closes every
   * connection with 1011 and refuses new ones with 503 until {@link FakeDeepgram.recover}.
   */
  failAfter: (utterances: number) => void;
  /**
   * After `utterances` more final transcripts (0: now), stalls as a hung
   * provider does: every connection, open or new, stays open and takes
   * audio but sends no result or event, until {@link FakeDeepgram.recover}.
   */
  stallAfter: (utterances: number) => void;
  /** The script of connections opened from now on (each call's STT stream starts it afresh). */
  useScript: (lines: readonly string[]) => void;
  recover: () => void;
  close: () => Promise<void>;
}>;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

const listenQuery = z.object({
  encoding: z.literal('linear16', { error: 'the FAKE Deepgram only takes encoding=linear16' }),
  sample_rate: z.coerce.number().int().min(8000).max(48000),
  channels: z.coerce.number().int().min(1).max(8).default(1),
  interim_results: flag.default(false),
  vad_events: flag.default(false),
  model: z.string().default('nova-3'),
});

/**
 * @example
 * const deepgram = await startFakeDeepgram({ script: ["I'd like to talk to a person."] });
 * new deepgram.STT({ apiKey: 'fake', baseUrl: deepgram.url, sampleRate: 8000 });
 */
export async function startFakeDeepgram(opts: FakeDeepgramOptions = {}): Promise<FakeDeepgram> {
  const profile = opts.profile ?? LATENCY_PROFILES.zero;
  let segments = scriptSegments(opts.script ?? []);
  const fallback = opts.fallbackTranscript ?? FALLBACK_TRANSCRIPT;
  const log = opts.log ?? (() => {});
  const sessions = new Set<DeepgramSession>();
  const transcripts: string[] = [];
  const queries: Record<string, string>[] = [];
  const c = {
    connections: 0,
    refused: 0,
    utterances: 0,
    interims: 0,
    finals: 0,
    keepAlives: 0,
    finalizes: 0,
    closeStreams: 0,
    closedAudioSeconds: 0,
  };
  let failIn: number | undefined = opts.failAfterUtterances;
  let down = failIn === 0;
  let stallIn: number | undefined;
  let stalled = false;
  const stall = () => {
    stalled = true;
    stallIn = undefined;
    log(`FAKE Deepgram: stalled, answering nothing on ${sessions.size} connection(s)`);
  };

  const goDown = () => {
    down = true;
    failIn = undefined;
    log(`FAKE Deepgram: outage, dropping ${sessions.size} connection(s)`);
    for (const s of [...sessions]) s.fail('FAKE Deepgram outage');
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const refuse = (status: number, why: string) => {
      c.refused++;
      log(`FAKE Deepgram: refused a connection (${status} ${why})`);
      rejectUpgrade(socket, status, why);
    };
    if (url.pathname !== '/v1/listen') return refuse(404, `no such endpoint ${url.pathname}`);
    if (down) return refuse(503, 'FAKE Deepgram outage');
    if (!/^Token \S+$/.test(req.headers.authorization ?? ''))
      return refuse(401, 'missing Authorization: Token <key>');
    const parsed = listenQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success)
      return refuse(
        400,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    const q = parsed.data;
    const query: ListenQuery = {
      sampleRate: q.sample_rate,
      channels: q.channels,
      interimResults: q.interim_results,
      vadEvents: q.vad_events,
      model: q.model,
    };
    const ws = acceptWebSocket(req, socket, head);
    c.connections++;
    keepLast(queries, Object.fromEntries(url.searchParams), 100);
    const script = segments;
    const session: DeepgramSession = new DeepgramSession(ws, query, profile, opts.segmenter ?? {}, {
      segment: (i) => script[i] ?? fallback,
      onUtterance: () => void c.utterances++,
      onInterim: () => void c.interims++,
      onFinal: (text) => {
        c.finals++;
        keepLast(transcripts, text, 500);
        if (failIn !== undefined && --failIn <= 0) setImmediate(goDown);
        if (stallIn !== undefined && --stallIn <= 0) stall();
      },
      muted: () => stalled,
      onControl: (type) => {
        if (type === 'KeepAlive') c.keepAlives++;
        else if (type === 'Finalize') c.finalizes++;
        else if (type === 'CloseStream') c.closeStreams++;
      },
      onClose: (audioSeconds) => {
        sessions.delete(session);
        c.closedAudioSeconds += audioSeconds;
      },
      log,
    });
    sessions.add(session);
  };

  const server: Server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ err_msg: 'FAKE Deepgram serves only the /v1/listen WebSocket' }));
  });
  server.on('upgrade', upgrade);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  log(`FAKE Deepgram listening on ws://${host}:${port}/v1/listen (profile ${profile.name})`);

  return Object.freeze({
    url: `ws://${host}:${port}`,
    listenUrl: `ws://${host}:${port}/v1/listen`,
    counters: () => ({
      connections: c.connections,
      open: sessions.size,
      refused: c.refused,
      utterances: c.utterances,
      interims: c.interims,
      finals: c.finals,
      keepAlives: c.keepAlives,
      finalizes: c.finalizes,
      closeStreams: c.closeStreams,
      audioSeconds:
        Math.round(
          (c.closedAudioSeconds + [...sessions].reduce((sum, s) => sum + s.audioSeconds, 0)) * 1000,
        ) / 1000,
    }),
    transcripts: () => [...transcripts],
    queries: () => [...queries],
    failAfter: (utterances: number) => {
      if (utterances <= 0) goDown();
      else failIn = utterances;
    },
    useScript: (lines: readonly string[]) => {
      segments = scriptSegments(lines);
    },
    stallAfter: (utterances: number) => {
      if (utterances <= 0) stall();
      else stallIn = utterances;
    },
    recover: () => {
      down = false;
      failIn = undefined;
      stalled = false;
      stallIn = undefined;
      log('FAKE Deepgram: recovered');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.fail('FAKE Deepgram shutting down');
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
