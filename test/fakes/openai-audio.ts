/**
 * The FAKE OpenAI's audio API, speaking the real wire protocol so
 * `@livekit/agents-plugin-openai`'s STT and TTS (through the official OpenAI
 * SDK) run against it unchanged, as they would against OpenAI or a
 * self-hosted server (speaches, Kokoro-FastAPI and the like):
 *
 * - `POST /v1/audio/transcriptions`: multipart form data with a WAV `file`
 *   and a `model`; answered `{"text": …}` (or the bare text for
 *   `response_format=text`). What the fake "hears" is a script (script.ts):
 *   each stretch of speech it finds in the file by energy is the next
 *   script segment, numbered across all requests (one caller at a time).
 * - `POST /v1/audio/speech`: JSON with `model`, `voice`, `input`; answered
 *   with 24 kHz 16-bit mono PCM (`response_format=pcm`), chunked and paced
 *   as the profile says, cut from the speech clip.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { keepLast } from './history.ts';
import { pause, type LatencyProfile } from './latency.ts';
import { FALLBACK_TRANSCRIPT, scriptSegments } from './script.ts';
import { paceSpeech } from './speech-pacing.ts';
import { SpeechSegmenter } from './speech-segmenter.ts';
import { speechSource } from './speech-source.ts';

/** The speech API's PCM: OpenAI's, whatever the model. */
export const SPEECH_PCM_RATE = 24_000;

export type OpenAiAudioOptions = Readonly<{
  profile: LatencyProfile;
  script?: readonly string[];
  fallbackTranscript?: string;
}>;

export type FakeOpenAiAudioCounters = Readonly<{
  transcriptions: number;
  /** Transcriptions in which the fake heard no speech (answered with empty text). */
  silentTranscriptions: number;
  /** Transcription requests answered with the outage status. */
  failedTranscriptions: number;
  speechRequests: number;
  speechCharacters: number;
  /** Speech audio sent, in seconds. */
  speechSeconds: number;
}>;

export type OpenAiAudio = Readonly<{
  /** Answers the request when it is for the audio API; false when it is not. */
  handle: (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer) => boolean;
  counters: () => FakeOpenAiAudioCounters;
  /** The texts transcriptions answered, oldest first (the last 500). */
  transcripts: () => readonly string[];
  /** Answer every transcription request with `status` from now on (the STT server down); undefined answers again. */
  failTranscriptions: (status: number | undefined) => void;
}>;

const speechBody = z
  .object({
    model: z.string().min(1),
    voice: z.string().min(1),
    input: z.string().min(1).max(4096),
    response_format: z.enum(['pcm', 'wav', 'mp3', 'opus', 'aac', 'flac']).default('mp3'),
  })
  .loose();

/**
 * @example
 * const audio = openAiAudio({ profile, script: ["I'd like to talk to a person."] });
 * if (audio.handle(req, res, path, body)) return;
 */
export function openAiAudio(opts: OpenAiAudioOptions): OpenAiAudio {
  const segments = scriptSegments(opts.script ?? []);
  const fallback = opts.fallbackTranscript ?? FALLBACK_TRANSCRIPT;
  let heard = 0;
  const transcripts: string[] = [];
  const c = { transcriptions: 0, silent: 0, failed: 0, speech: 0, characters: 0, speechMs: 0 };
  let transcriptionStatus: number | undefined;

  const transcribe = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (transcriptionStatus !== undefined) {
      c.failed++;
      return apiError(res, transcriptionStatus, 'FAKE OpenAI transcription outage');
    }
    const form = parseMultipart(req.headers['content-type'], body);
    if (typeof form === 'string') return apiError(res, 400, `FAKE OpenAI: ${form}`);
    const file = form.get('file');
    const model = form.get('model')?.toString('utf8');
    if (!file || !model) return apiError(res, 400, 'FAKE OpenAI: a file and a model are required');
    const wav = readWav(file);
    if (typeof wav === 'string') return apiError(res, 400, `FAKE OpenAI: ${wav}`);
    c.transcriptions++;
    const ears = new SpeechSegmenter({ sampleRate: wav.sampleRate });
    const stretches =
      ears.push(wav.samples).filter((e) => e.type === 'end').length + (ears.finish() ? 1 : 0);
    const words: string[] = [];
    for (let i = 0; i < stretches; i++) words.push(segments[heard++] ?? fallback);
    const text = words.join(' ');
    if (text === '') c.silent++;
    keepLast(transcripts, text, 500);
    const asText = form.get('response_format')?.toString('utf8') === 'text';
    void pause(opts.profile.sttFinalMs).then(() => {
      if (asText) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(text);
      } else json(res, 200, { text });
    });
  };

  const speak = (res: ServerResponse, body: Buffer) => {
    let request: z.infer<typeof speechBody>;
    try {
      request = speechBody.parse(JSON.parse(body.toString('utf8')));
    } catch {
      return apiError(res, 400, 'FAKE OpenAI: body must be JSON with model, voice and input');
    }
    if (request.response_format !== 'pcm')
      return apiError(res, 400, 'FAKE OpenAI: the fake speaks response_format pcm only');
    c.speech++;
    c.characters += request.input.length;
    const abort = new AbortController();
    res.on('close', () => abort.abort(new Error('client went away')));
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
    paceSpeech({
      text: request.input,
      source: speechSource({ codec: 'pcm', rate: SPEECH_PCM_RATE, name: 'pcm' }),
      profile: opts.profile,
      committedAt: Date.now(),
      signal: abort.signal,
      send: (chunk) => {
        c.speechMs += chunk.ms;
        res.write(chunk.audio);
      },
    }).then(
      () => res.end(),
      () => res.destroy(),
    );
  };

  return Object.freeze({
    handle: (req, res, path, body) => {
      if (req.method !== 'POST') return false;
      if (path === '/v1/audio/transcriptions') transcribe(req, res, body);
      else if (path === '/v1/audio/speech') speak(res, body);
      else return false;
      return true;
    },
    counters: () => ({
      transcriptions: c.transcriptions,
      silentTranscriptions: c.silent,
      failedTranscriptions: c.failed,
      speechRequests: c.speech,
      speechCharacters: c.characters,
      speechSeconds: c.speechMs / 1000,
    }),
    transcripts: () => [...transcripts],
    failTranscriptions: (status) => {
      transcriptionStatus = status;
    },
  });
}

/**
 * The parts of a `multipart/form-data` body by field name; a string says what is wrong.
 *
 * @example
 * parseMultipart('multipart/form-data; boundary=x', body).get('model')?.toString(); // 'whisper-1'
 */
export function parseMultipart(
  contentType: string | undefined,
  body: Buffer,
): Map<string, Buffer> | string {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!contentType?.startsWith('multipart/form-data') || !boundary)
    return 'expected multipart/form-data with a boundary';
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = new Map<string, Buffer>();
  let at = body.indexOf(delimiter);
  if (at < 0) return 'no multipart boundary in the body';
  for (;;) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return 'multipart body is not terminated';
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--boundary
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return 'a multipart part has no headers';
    const headers = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) parts.set(name, part.subarray(split + 4));
    at = next;
  }
  return parts;
}

/** 16-bit PCM mono samples and rate of a WAV file; a string says what is wrong. */
function readWav(file: Buffer): { sampleRate: number; samples: Int16Array } | string {
  if (
    file.length < 44 ||
    file.toString('ascii', 0, 4) !== 'RIFF' ||
    file.toString('ascii', 8, 12) !== 'WAVE'
  )
    return 'file is not a WAV (RIFF/WAVE)';
  let offset = 12;
  let sampleRate = 0;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      if (file.readUInt16LE(offset + 8) !== 1 || file.readUInt16LE(offset + 22) !== 16)
        return 'the fake reads 16-bit PCM WAV only';
      sampleRate = file.readUInt32LE(offset + 12);
    } else if (id === 'data') {
      if (!sampleRate) return 'WAV data before its fmt chunk';
      const data = file.subarray(offset + 8, offset + 8 + size);
      const samples = new Int16Array(Math.floor(data.length / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      return { sampleRate, samples };
    }
    offset += 8 + size + (size % 2);
  }
  return 'WAV has no data chunk';
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number, message: string): void {
  json(res, status, { error: { message, type: 'invalid_request_error', param: null, code: null } });
}
