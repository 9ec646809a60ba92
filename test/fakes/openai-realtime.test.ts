/**
 * The FAKE OpenAI Realtime API against the real `@livekit/agents-plugin-openai`
 * 1.9.0 RealtimeModel, the way the agent builds it (providers/realtime.ts):
 * the session is configured without server turn detection or
 * transcription, the call's 16 kHz audio reaches the API as 24 kHz of the
 * same length, a reply streams back as audio, and a server that refuses the
 * connection or never starts a reply is reported as the model's failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger, type llm } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRealtimeModel } from '../../agent/src/voice/providers/realtime.ts';
import { parseVoiceSettings } from '../../agent/src/voice/providers/settings.ts';
import { callerPcm } from '../harness/audio.ts';
import { startFakeOpenAi, type FakeOpenAi } from './openai.ts';
import { REALTIME_PCM_RATE } from './openai-realtime.ts';

const RATE = 16_000;

function model(openai: FakeOpenAi, replyTimeoutMs = 1500): CallRealtimeModel {
  const settings = parseVoiceSettings({
    OPENAI_REALTIME_BASE_URL: openai.url,
    OPENAI_REALTIME_MODEL: 'fake-realtime',
    OPENAI_REALTIME_REPLY_TIMEOUT_MS: String(replyTimeoutMs),
  }).realtime;
  if (!settings) throw new Error('realtime settings expected');
  return new CallRealtimeModel(settings);
}

/** Pushes PCM in 40 ms frames, as the call's audio input delivers it. */
function push(session: llm.RealtimeSession, pcm: Buffer): number {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  const step = (RATE / 1000) * 40;
  let pushed = 0;
  for (let i = 0; i + step <= samples.length; i += step) {
    session.pushAudio(new AudioFrame(samples.slice(i, i + step), RATE, 1, step));
    pushed += step;
  }
  return (pushed / RATE) * 1000;
}

async function replyAudio(ev: llm.GenerationCreatedEvent): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  for await (const message of ev.messageStream)
    for await (const frame of message.audioStream) frames.push(frame);
  return frames;
}

const failure = (m: CallRealtimeModel) =>
  new Promise<string>((resolve) => m.onFailure(({ reason }) => resolve(reason)));

describe('FAKE OpenAI Realtime API with the real Node plugin', () => {
  let openai: FakeOpenAi;
  let dir: string;
  let caller: Buffer;

  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'fatal' });
    dir = mkdtempSync(join(tmpdir(), 'fakes-openai-realtime-'));
    caller = callerPcm(dir, ['Hello, I have a question about my account.'], {
      rate: RATE,
      pauseSeconds: 0.5,
    });
    openai = await startFakeOpenAi();
  });

  afterAll(async () => {
    await openai?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hears the whole utterance at 24 kHz and answers with streamed audio', async () => {
    const m = model(openai);
    const session = m.session();
    try {
      const sentMs = push(session, caller);
      await session.commitAudio();
      const reply = await session.generateReply();
      const frames = await replyAudio(reply);

      const [update] = openai.realtime.sessionUpdates();
      expect(update).toMatchObject({ model: 'fake-realtime' });
      const input = (update?.['audio'] as { input?: Record<string, unknown> } | undefined)?.input;
      expect(input).toMatchObject({ turn_detection: null, transcription: null });
      expect(input?.['format']).toEqual({ type: 'audio/pcm', rate: REALTIME_PCM_RATE });

      const [turn] = openai.realtime.turns();
      // The plugin sends whole 100 ms chunks: up to 100 ms stays in its buffer.
      expect(turn?.committedMs).toBeGreaterThan(sentMs - 110);
      expect(turn?.committedMs).toBeLessThanOrEqual(sentMs + 10);
      expect(turn?.voicedMs).toBeGreaterThan(1000);

      expect(frames.length).toBeGreaterThan(0);
      expect(frames.every((f) => f.sampleRate === REALTIME_PCM_RATE)).toBe(true);
      const replyMs = frames.reduce((ms, f) => ms + (f.samplesPerChannel / f.sampleRate) * 1000, 0);
      expect(replyMs).toBeGreaterThan(1000);
      expect(m.failed).toBe(false);
    } finally {
      await session.close();
    }
  });

  it('reports a server that refuses the connection as a failure', async () => {
    openai.realtime.failWith(503);
    try {
      const m = model(openai, 800);
      const failed = failure(m);
      const session = m.session();
      await expect(failed).resolves.toBe(
        'the realtime server refused the connection: Unexpected server response: 503',
      );
      await session.close().catch(() => {});
    } finally {
      openai.realtime.failWith(undefined);
    }
  });

  it("turns the plugin's unrecoverable error into the model's failure, not a closed session", async () => {
    const m = model(openai);
    const failed = failure(m);
    const session = m.session();
    const seen: llm.RealtimeModelError[] = [];
    session.on('error', (e: llm.RealtimeModelError) => seen.push(e));
    const error = {
      type: 'realtime_model_error',
      timestamp: Date.now(),
      label: '',
      recoverable: true,
    };
    session.emit('error', { ...error, error: new Error('rate limited, retrying') });
    session.emit('error', { ...error, error: new Error('invalid_api_key'), recoverable: false });
    await expect(failed).resolves.toBe('invalid_api_key');
    // Recoverable errors still reach the session; the fatal one is the policy's to act on.
    expect(seen.map((e) => e.error.message)).toEqual(['rate limited, retrying']);
    await session.close();
  });

  it('reports a reply the server never starts as a failure', async () => {
    openai.realtime.stall(true);
    try {
      const m = model(openai, 800);
      const failed = failure(m);
      const session = m.session();
      push(session, caller);
      await session.commitAudio();
      const started = Date.now();
      void session.generateReply().catch(() => {});
      await expect(failed).resolves.toBe('the realtime model did not start its reply');
      expect(Date.now() - started).toBeLessThan(2000);
      await session.close();
    } finally {
      openai.realtime.stall(false);
    }
  });
});
