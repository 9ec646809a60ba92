/**
 * A FAKE of OpenAI's chat completions API (`https://api.openai.com/v1`) on
 * 127.0.0.1, speaking the real wire protocol so the real plugins
 * (`@livekit/agents-plugin-openai`, `livekit-plugins-openai`, both through
 * the official OpenAI SDKs) run against it unchanged: `POST
 * /v1/chat/completions`, streamed as server-sent events (text deltas, tool
 * call deltas, the usage chunk when `stream_options.include_usage` asks) or
 * as one JSON body, `GET /v1/models` (the plugins' prewarm), and the audio
 * API's transcriptions and speech (openai-audio.ts), and the Realtime API's
 * WebSocket (openai-realtime.ts). Replies are scripted
 * (openai-replies.ts). It can also fail like an outage: every
 * request answered with one HTTP status; or stall like a hung model: a chat
 * request is accepted (200, the event stream open) and never gets a token.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { LATENCY_PROFILES, pause, type LatencyProfile } from './latency.ts';
import { streamReply, tokens, wholeReply } from './openai-wire.ts';
import { keepLast } from './history.ts';
import { rejectUpgrade } from './websocket.ts';
import { openAiAudio, type FakeOpenAiAudioCounters } from './openai-audio.ts';
import {
  openAiRealtime,
  type FakeRealtimeCounters,
  type OpenAiRealtime,
} from './openai-realtime.ts';
import {
  chatMessage,
  chatTool,
  scriptedReply,
  textOf,
  type ScriptedReply,
} from './openai-replies.ts';

export type FakeOpenAiOptions = Readonly<{
  profile?: LatencyProfile;
  /** Answer every request with this HTTP status (an outage), until {@link FakeOpenAi.failWith} changes it. */
  failWith?: number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** What the transcriptions endpoint and the Realtime API hear (see openai-audio.ts, openai-realtime.ts). */
  script?: readonly string[];
  fallbackTranscript?: string;
  log?: (line: string) => void;
}>;

export type FakeOpenAiCounters = Readonly<{
  /** The audio API: transcriptions and speech. */
  audio: FakeOpenAiAudioCounters;
  /** The Realtime API's WebSocket sessions. */
  realtime: FakeRealtimeCounters;
  /** Every HTTP request, whatever its path or outcome. */
  requests: number;
  chatCompletions: number;
  streamed: number;
  toolCalls: number;
  textReplies: number;
  /** Requests answered with the outage status. */
  failed: number;
  /** Chat requests held open without a token while stalled. */
  stalled: number;
  modelLists: number;
}>;

/** One chat request and what the fake answered. */
export type ChatExchange = Readonly<{
  /** The last user message ('' when there is none). */
  said: string;
  /** The tools the request offered. */
  tools: readonly string[];
  reply: ScriptedReply;
}>;

export type FakeOpenAi = Readonly<{
  /** `baseURL` for both plugins and OPENAI_BASE_URL: `http://host:port/v1`. */
  url: string;
  counters: () => FakeOpenAiCounters;
  /** Epoch ms and path of every request, oldest first (the last 1000). */
  requests: () => readonly Readonly<{ at: number; path: string }>[];
  /** Chat requests and their replies, oldest first (the last 200). */
  exchanges: () => readonly ChatExchange[];
  /** The texts transcriptions answered, oldest first (the last 500). */
  transcripts: () => readonly string[];
  /** Answer every transcription request with `status` from now on; undefined answers again. */
  failTranscriptions: (status: number | undefined) => void;
  /** Answer every request with `status` from now on; undefined answers normally again. */
  failWith: (status: number | undefined) => void;
  /** While true, every chat request is accepted and never answered (no first token). */
  stall: (on: boolean) => void;
  /** The Realtime API (openai-realtime.ts): its turns, session updates, outage and stall. */
  realtime: Omit<OpenAiRealtime, 'upgrade' | 'counters'>;
  close: () => Promise<void>;
}>;

const chatRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(chatMessage).min(1),
    tools: z.array(chatTool).optional(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
  })
  .loose();

/**
 * @example
 * const openai = await startFakeOpenAi({ profile: latencyProfile('typical') });
 * new openai.LLM({ apiKey: 'fake', baseURL: openai.url, model: 'gpt-4.1-mini' });
 */
export async function startFakeOpenAi(opts: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const profile = opts.profile ?? LATENCY_PROFILES.zero;
  const log = opts.log ?? (() => {});
  let failStatus = opts.failWith;
  const requests: { at: number; path: string }[] = [];
  const exchanges: ChatExchange[] = [];
  let stalled = false;
  const audio = openAiAudio({
    profile,
    ...(opts.script ? { script: opts.script } : {}),
    ...(opts.fallbackTranscript ? { fallbackTranscript: opts.fallbackTranscript } : {}),
  });
  const realtime = openAiRealtime({
    profile,
    log,
    ...(opts.script ? { script: opts.script } : {}),
  });
  const c = {
    requests: 0,
    chat: 0,
    streamed: 0,
    tools: 0,
    texts: 0,
    failed: 0,
    stalled: 0,
    models: 0,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    c.requests++;
    keepLast(requests, { at: Date.now(), path: req.url ?? '' }, 1000);
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (failStatus !== undefined) {
      c.failed++;
      return json(res, failStatus, apiError('FAKE OpenAI outage', 'server_error'));
    }
    if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
      return json(
        res,
        401,
        apiError('FAKE OpenAI: missing Authorization: Bearer <key>', 'invalid_request_error'),
      );
    if (audio.handle(req, res, path, raw)) return;
    if (req.method === 'GET' && path === '/v1/models') {
      c.models++;
      return json(res, 200, {
        object: 'list',
        data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }],
      });
    }
    if (req.method === 'GET' && path.startsWith('/v1/models/'))
      return json(res, 200, {
        id: path.slice('/v1/models/'.length),
        object: 'model',
        created: 0,
        owned_by: 'fake',
      });
    if (req.method !== 'POST' || path !== '/v1/chat/completions')
      return json(
        res,
        404,
        apiError(`FAKE OpenAI: no ${req.method} ${path}`, 'invalid_request_error'),
      );

    let parsed: z.infer<typeof chatRequest>;
    try {
      parsed = chatRequest.parse(JSON.parse(body));
    } catch (err) {
      const why =
        err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
          : 'body is not JSON';
      return json(res, 400, apiError(`FAKE OpenAI: ${why}`, 'invalid_request_error'));
    }
    c.chat++;
    if (stalled) {
      c.stalled++;
      res.writeHead(200, {
        'content-type': parsed.stream ? 'text/event-stream' : 'application/json',
      });
      res.flushHeaders();
      return; // held until the client gives up
    }
    const tools = parsed.tools ?? [];
    const reply = scriptedReply(parsed.messages, tools);
    const lastUser = [...parsed.messages].reverse().find((m) => m.role === 'user');
    keepLast(
      exchanges,
      { said: lastUser ? textOf(lastUser) : '', tools: tools.map((t) => t.function.name), reply },
      200,
    );
    if (reply.kind === 'tool') c.tools++;
    else c.texts++;
    const abort = new AbortController();
    res.on('close', () => abort.abort(new Error('client went away')));
    const completion = {
      id: `chatcmpl-fake-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: parsed.model,
    };
    try {
      if (parsed.stream) {
        c.streamed++;
        await streamReply(
          res,
          completion,
          reply,
          parsed.stream_options?.include_usage === true,
          profile,
          abort.signal,
        );
      } else {
        await pause(
          profile.llmFirstTokenMs + tokens(reply).length * profile.llmTokenMs,
          abort.signal,
        );
        json(res, 200, wholeReply(completion, reply));
      }
    } catch {
      res.destroy(); // the client went away mid-reply
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`FAKE OpenAI: request failed: ${String(err)}`);
      if (!res.headersSent) json(res, 500, apiError('FAKE OpenAI internal error', 'server_error'));
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (!realtime.upgrade(req, socket, head, path))
      rejectUpgrade(socket, 404, `FAKE OpenAI: no WebSocket at ${path}`);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  log(`FAKE OpenAI listening on http://${host}:${port}/v1 (profile ${profile.name})`);

  return Object.freeze({
    url: `http://${host}:${port}/v1`,
    counters: () => ({
      audio: audio.counters(),
      realtime: realtime.counters(),
      requests: c.requests,
      chatCompletions: c.chat,
      streamed: c.streamed,
      toolCalls: c.tools,
      textReplies: c.texts,
      failed: c.failed,
      stalled: c.stalled,
      modelLists: c.models,
    }),
    requests: () => [...requests],
    exchanges: () => [...exchanges],
    transcripts: audio.transcripts,
    failTranscriptions: (status: number | undefined) => {
      audio.failTranscriptions(status);
      log(
        status === undefined
          ? 'FAKE OpenAI: transcribing again'
          : `FAKE OpenAI: transcription outage, answering ${status}`,
      );
    },
    failWith: (status: number | undefined) => {
      failStatus = status;
      log(
        status === undefined
          ? 'FAKE OpenAI: answering again'
          : `FAKE OpenAI: outage, answering ${status}`,
      );
    },
    stall: (on: boolean) => {
      stalled = on;
      log(
        on ? 'FAKE OpenAI: stalled, no chat request gets a token' : 'FAKE OpenAI: answering again',
      );
    },
    realtime: {
      turns: realtime.turns,
      sessionUpdates: realtime.sessionUpdates,
      failWith: realtime.failWith,
      stall: realtime.stall,
      useTools: realtime.useTools,
    },
    close: () =>
      new Promise<void>((resolve) => {
        realtime.failWith(503);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

function apiError(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
