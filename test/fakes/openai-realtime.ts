/**
 * The FAKE OpenAI Realtime API (`GET /v1/realtime?model=…`, upgraded to a
 * WebSocket), speaking the real event protocol so
 * `@livekit/agents-plugin-openai`'s RealtimeModel runs against it unchanged:
 *
 * - `session.created` on connect; `session.update` → `session.updated`;
 * - `input_audio_buffer.append` (base64 24 kHz 16-bit PCM) accumulates;
 *   `.commit` → `input_audio_buffer.committed` and the user item
 *   (`conversation.item.added`/`.done`); `.clear` → `.cleared`;
 * - `conversation.item.create` / `.delete` / `.truncate` → `.added`+`.done` /
 *   `.deleted` / `.truncated`;
 * - `response.create` → `response.created`, the assistant item, its audio
 *   part, transcript and audio deltas (cut from the speech clip, paced as
 *   the profile says), the `.done` events and `response.done` with usage;
 *   `response.cancel` stops it (`status: "cancelled"`).
 *
 * It is a script, not a model. What it "hears" in a commit is the next
 * script segment for each stretch of speech it finds by energy, numbered
 * from the start of the script in each session (a session is one call). A reply says {@link REALTIME_REPLY}; with tools on
 * ({@link OpenAiRealtime.useTools}), a caller heard asking for a person gets
 * a call to the session's transfer tool instead, as the chat fake decides
 * (openai-replies.ts), and the turn after the tool's output gets the chat
 * fake's after-tool line. With tools off it never calls one, so what hands a
 * caller over is the agent's own policy. It measures what it was sent: each
 * commit's audio length and voiced part, so a test can tell the caller's
 * audio arrived whole and at the declared rate.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { keepLast } from './history.ts';
import { pause, type LatencyProfile } from './latency.ts';
import { REPLIES, scriptedReply, type ChatTool } from './openai-replies.ts';
import { FALLBACK_TRANSCRIPT, scriptSegments } from './script.ts';
import { paceSpeech } from './speech-pacing.ts';
import { SpeechSegmenter } from './speech-segmenter.ts';
import { speechSource } from './speech-source.ts';
import { acceptWebSocket, rejectUpgrade, type FakeWebSocket } from './websocket.ts';

/** The Realtime API's PCM rate. */
export const REALTIME_PCM_RATE = 24_000;
/** What the fake says in every reply. */
export const REALTIME_REPLY = 'Of course. I can help you with your account today.';

/** One committed stretch of caller audio and the reply it got (if any). */
export type RealtimeTurn = Readonly<{
  /** Length of the committed audio, at the declared 24 kHz. */
  committedMs: number;
  /** The part of it the fake's energy detector finds voiced. */
  voicedMs: number;
  /** The script segments it stands for ('' when silent). */
  heard: string;
}>;

export type FakeRealtimeCounters = Readonly<{
  connections: number;
  refused: number;
  commits: number;
  responses: number;
  cancelled: number;
  toolCalls: number;
  /** Reply audio sent, in seconds. */
  replySeconds: number;
}>;

export type OpenAiRealtime = Readonly<{
  /** Takes the upgrade when it is for `/v1/realtime`; false when it is not. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => boolean;
  counters: () => FakeRealtimeCounters;
  turns: () => readonly RealtimeTurn[];
  /** The `session` objects of every `session.update`, oldest first (the last 100). */
  sessionUpdates: () => readonly Readonly<Record<string, unknown>>[];
  /** Refuse new connections with `status` and drop open ones; undefined accepts again. */
  failWith: (status: number | undefined) => void;
  /** While true, `response.create` is accepted and never answered. */
  stall: (on: boolean) => void;
  /** While true, a caller heard asking for a person gets a call to the session's transfer tool. */
  useTools: (on: boolean) => void;
}>;

const clientEvent = z.object({ type: z.string(), event_id: z.string().optional() }).loose();
const append = z.object({ audio: z.string() });
const itemCreate = z.object({
  item: z.object({ id: z.string().optional(), type: z.string() }).loose(),
  previous_item_id: z.string().nullish(),
});
const itemRef = z.object({ item_id: z.string() });
const responseCreate = z.object({
  response: z
    .object({ metadata: z.record(z.string(), z.unknown()).nullish() })
    .loose()
    .nullish(),
});

/**
 * @example
 * const realtime = openAiRealtime({ profile });
 * server.on('upgrade', (req, socket, head) => realtime.upgrade(req, socket, head, new URL(req.url!, 'http://x').pathname));
 */
export function openAiRealtime(opts: {
  profile: LatencyProfile;
  script?: readonly string[];
  log?: (line: string) => void;
}): OpenAiRealtime {
  const log = opts.log ?? (() => {});
  const segments = scriptSegments(opts.script ?? []);
  let tools = false;
  const turns: RealtimeTurn[] = [];
  const updates: Record<string, unknown>[] = [];
  const open = new Set<FakeWebSocket>();
  let failStatus: number | undefined;
  let stalled = false;
  const c = {
    connections: 0,
    refused: 0,
    commits: 0,
    responses: 0,
    cancelled: 0,
    toolCalls: 0,
    replyMs: 0,
  };

  const serve = (ws: FakeWebSocket, model: string) => {
    const send = (type: string, body: Record<string, unknown> = {}) => {
      if (ws.open) ws.sendJson({ type, event_id: `event_${randomUUID()}`, ...body });
    };
    let buffer: Buffer[] = [];
    let lastItem: string | null = null;
    let response: AbortController | undefined;
    let sessionTools: ChatTool[] = [];
    let heardSegments = 0;
    /** What the caller said in the last commit, and whether a tool's output came since. */
    let lastHeard = '';
    let toolAnswered = false;
    const session = { id: `sess_${randomUUID()}`, object: 'realtime.session', model };

    const addItem = (item: Record<string, unknown>) => {
      const previous = lastItem;
      lastItem = String(item['id']);
      send('conversation.item.added', { previous_item_id: previous, item });
      send('conversation.item.done', { previous_item_id: previous, item });
    };

    const commit = () => {
      const audio = Buffer.concat(buffer);
      buffer = [];
      const samples = new Int16Array(Math.floor(audio.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = audio.readInt16LE(i * 2);
      const ears = new SpeechSegmenter({ sampleRate: REALTIME_PCM_RATE });
      let voiced = 0;
      const words: string[] = [];
      const count = (ev: { type: string; start?: number; end?: number }) => {
        if (ev.type !== 'end') return;
        voiced += (ev.end ?? 0) - (ev.start ?? 0);
        words.push(segments[heardSegments++] ?? FALLBACK_TRANSCRIPT);
      };
      ears.push(samples).forEach(count);
      const last = ears.finish();
      if (last) count(last);
      c.commits++;
      lastHeard = words.join(' ');
      toolAnswered = false;
      keepLast(
        turns,
        {
          committedMs: Math.round((samples.length / REALTIME_PCM_RATE) * 1000),
          voicedMs: Math.round(voiced * 1000),
          heard: lastHeard,
        },
        200,
      );
      const id = `item_${randomUUID()}`;
      send('input_audio_buffer.committed', { previous_item_id: lastItem, item_id: id });
      addItem({
        id,
        object: 'realtime.item',
        type: 'message',
        status: 'completed',
        role: 'user',
        content: [{ type: 'input_audio', transcript: null }],
      });
    };

    const callTool = (metadata: unknown, name: string, args: string) => {
      c.toolCalls++;
      const id = `resp_${randomUUID()}`;
      const base = { id, object: 'realtime.response', metadata: metadata ?? null };
      send('response.created', { response: { ...base, status: 'in_progress', output: [] } });
      const item = {
        id: `item_${randomUUID()}`,
        object: 'realtime.item',
        type: 'function_call',
        status: 'in_progress',
        call_id: `call_${randomUUID()}`,
        name,
        arguments: '',
      };
      send('response.output_item.added', { response_id: id, output_index: 0, item });
      addItem(item);
      const at = { response_id: id, item_id: item.id, output_index: 0, call_id: item.call_id };
      send('response.function_call_arguments.delta', { ...at, delta: args });
      send('response.function_call_arguments.done', { ...at, name, arguments: args });
      const done = { ...item, status: 'completed', arguments: args };
      send('response.output_item.done', { response_id: id, output_index: 0, item: done });
      send('response.done', { response: { ...base, status: 'completed', output: [done] } });
    };

    const reply = async (metadata: unknown) => {
      c.responses++;
      if (stalled) return; // accepted, never answered
      const scripted = tools
        ? scriptedReply(
            [{ role: toolAnswered ? 'tool' : 'user', content: lastHeard }],
            sessionTools,
          )
        : undefined;
      if (scripted?.kind === 'tool') return callTool(metadata, scripted.name, scripted.arguments);
      const text = toolAnswered && tools ? REPLIES.afterTool : REALTIME_REPLY;
      const abort = new AbortController();
      response?.abort();
      response = abort;
      const id = `resp_${randomUUID()}`;
      const itemId = `item_${randomUUID()}`;
      const at = { response_id: id, item_id: itemId, output_index: 0, content_index: 0 };
      const base = { id, object: 'realtime.response', metadata: metadata ?? null };
      send('response.created', { response: { ...base, status: 'in_progress', output: [] } });
      const item = {
        id: itemId,
        object: 'realtime.item',
        type: 'message',
        status: 'in_progress',
        role: 'assistant',
        content: [] as unknown[],
      };
      send('response.output_item.added', { response_id: id, output_index: 0, item });
      addItem(item);
      send('response.content_part.added', { ...at, part: { type: 'audio', transcript: '' } });
      let status = 'completed';
      try {
        await pause(opts.profile.llmFirstTokenMs, abort.signal);
        send('response.output_audio_transcript.delta', { ...at, delta: text });
        await paceSpeech({
          text,
          source: speechSource({ codec: 'pcm', rate: REALTIME_PCM_RATE, name: 'pcm' }),
          profile: opts.profile,
          committedAt: Date.now(),
          signal: abort.signal,
          send: (chunk) => {
            c.replyMs += chunk.ms;
            send('response.output_audio.delta', { ...at, delta: chunk.audio.toString('base64') });
          },
        });
      } catch {
        status = 'cancelled';
        c.cancelled++;
      }
      if (response === abort) response = undefined;
      const done = {
        ...item,
        status: status === 'completed' ? 'completed' : 'incomplete',
        content: [{ type: 'output_audio', transcript: text }],
      };
      send('response.output_audio.done', at);
      send('response.output_audio_transcript.done', { ...at, transcript: text });
      send('response.content_part.done', {
        ...at,
        part: { type: 'audio', transcript: text },
      });
      send('response.output_item.done', { response_id: id, output_index: 0, item: done });
      send('response.done', {
        response: {
          ...base,
          status,
          output: [done],
          usage: {
            total_tokens: 60,
            input_tokens: 40,
            output_tokens: 20,
            input_token_details: { audio_tokens: 30, text_tokens: 10, cached_tokens: 0 },
            output_token_details: { audio_tokens: 15, text_tokens: 5 },
          },
        },
      });
    };

    const receive = (text: string) => {
      let event: z.infer<typeof clientEvent>;
      try {
        event = clientEvent.parse(JSON.parse(text));
      } catch {
        return send('error', {
          error: {
            type: 'invalid_request_error',
            code: 'invalid_json',
            message: 'FAKE Realtime: not a JSON event',
          },
        });
      }
      const bad = (why: string) =>
        send('error', {
          error: {
            type: 'invalid_request_error',
            code: 'invalid_value',
            message: `FAKE Realtime: ${event.type}: ${why}`,
            event_id: event.event_id ?? null,
          },
        });
      switch (event.type) {
        case 'session.update': {
          const s = (event as { session?: Record<string, unknown> }).session ?? {};
          keepLast(updates, s, 100);
          if (Array.isArray(s['tools'])) sessionTools = s['tools'].flatMap(chatToolOf);
          return send('session.updated', { session: { ...session, ...s } });
        }
        case 'input_audio_buffer.append': {
          const a = append.safeParse(event);
          if (!a.success) return bad('audio must be base64');
          buffer.push(Buffer.from(a.data.audio, 'base64'));
          return;
        }
        case 'input_audio_buffer.commit':
          if (buffer.length === 0) return bad('buffer too small');
          return commit();
        case 'input_audio_buffer.clear':
          buffer = [];
          return send('input_audio_buffer.cleared');
        case 'conversation.item.create': {
          const a = itemCreate.safeParse(event);
          if (!a.success) return bad('item is required');
          if (a.data.item.type === 'function_call_output') toolAnswered = true;
          return addItem({ id: a.data.item.id ?? `item_${randomUUID()}`, ...a.data.item });
        }
        case 'conversation.item.delete': {
          const a = itemRef.safeParse(event);
          if (!a.success) return bad('item_id is required');
          return send('conversation.item.deleted', { item_id: a.data.item_id });
        }
        case 'conversation.item.truncate': {
          const a = itemRef.safeParse(event);
          if (!a.success) return bad('item_id is required');
          return send('conversation.item.truncated', { item_id: a.data.item_id, content_index: 0 });
        }
        case 'response.create': {
          const a = responseCreate.safeParse(event);
          if (!a.success) return bad('response must be an object');
          void reply(a.data.response?.metadata);
          return;
        }
        case 'response.cancel':
          if (!response)
            return send('error', {
              error: {
                type: 'invalid_request_error',
                code: 'response_cancel_not_active',
                message: 'Cancellation failed: no active response found',
              },
            });
          response.abort();
          return;
        default:
          return bad('the fake does not serve this event');
      }
    };

    ws.on({
      text: receive,
      close: () => {
        response?.abort();
        open.delete(ws);
      },
    });
    send('session.created', { session });
  };

  return Object.freeze({
    upgrade: (req, socket, head, path) => {
      if (path !== '/v1/realtime') return false;
      if (failStatus !== undefined) {
        c.refused++;
        rejectUpgrade(socket, failStatus, 'FAKE OpenAI Realtime outage');
        return true;
      }
      const model = new URL(req.url ?? '/', 'http://fake').searchParams.get('model');
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? '') || !model) {
        c.refused++;
        rejectUpgrade(socket, 401, 'FAKE OpenAI Realtime: a Bearer key and ?model= are required');
        return true;
      }
      const ws = acceptWebSocket(req, socket, head);
      c.connections++;
      open.add(ws);
      log(`FAKE OpenAI Realtime: session for ${model}`);
      serve(ws, model);
      return true;
    },
    counters: () => ({
      connections: c.connections,
      refused: c.refused,
      commits: c.commits,
      responses: c.responses,
      cancelled: c.cancelled,
      toolCalls: c.toolCalls,
      replySeconds: c.replyMs / 1000,
    }),
    turns: () => [...turns],
    sessionUpdates: () => [...updates],
    failWith: (status) => {
      failStatus = status;
      if (status !== undefined) for (const ws of open) ws.destroy();
    },
    stall: (on) => {
      stalled = on;
    },
    useTools: (on) => {
      tools = on;
    },
  });
}

/** A Realtime session tool (`{type, name, parameters}`) in the chat API's shape the replies read. */
function chatToolOf(tool: unknown): ChatTool[] {
  const t = tool as { type?: unknown; name?: unknown; parameters?: unknown };
  if (t.type !== 'function' || typeof t.name !== 'string') return [];
  const parameters =
    typeof t.parameters === 'object' && t.parameters !== null
      ? (t.parameters as Record<string, unknown>)
      : {};
  return [{ type: 'function', function: { name: t.name, parameters } }];
}
