/**
 * The FAKE OpenAI audio API against the real `@livekit/agents-plugin-openai`
 * 1.9.0 STT and TTS, the way the agent builds them (cloud.ts): the
 * transcription endpoint behind our VAD-segmented adapter, the speech
 * endpoint behind the framework's sentence adapter. And the adapter's own
 * promise: a server that fails or stalls fails the stream, with the
 * utterance kept for the STT that takes over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger, stt, type VAD } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiStt, openAiTts } from '../../agent/src/voice/providers/cloud.ts';
import { loadVad } from '../../agent/src/voice/providers/local-models.ts';
import { TELEPHONY_TURN_DEFAULTS } from '../../agent/src/voice/providers/settings.ts';
import { callerPcm } from '../harness/audio.ts';
import { startCloudFakes, type CloudFakes } from './cloud.ts';
import { replyMs } from './speech-clip.ts';

const SCRIPT = ['I have a question about my account.', "I'd like to talk to a person."];

/** Feeds PCM in real time, in 20 ms frames, as the room does. */
async function feed(stream: stt.SpeechStream, pcm: Buffer): Promise<void> {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  for (let i = 0; i + 320 <= samples.length; i += 320) {
    stream.pushFrame(new AudioFrame(samples.slice(i, i + 320), 16000, 1, 320));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finals(stream: stt.SpeechStream): Promise<string[]> {
  const texts: string[] = [];
  for await (const ev of stream)
    if (ev.type === stt.SpeechEventType.FINAL_TRANSCRIPT)
      texts.push(ev.alternatives?.[0]?.text ?? '');
  return texts;
}

describe('FAKE OpenAI audio API with the real Node plugin', () => {
  let fakes: CloudFakes;
  let dir: string;
  let caller: Buffer;
  let vad: VAD;

  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'fatal' });
    dir = mkdtempSync(join(tmpdir(), 'fakes-openai-audio-'));
    caller = callerPcm(
      dir,
      ['Hello, I have a question about my account.', "I'd like to talk to a person."],
      { rate: 16000, pauseSeconds: 1.2 },
    );
    vad = await loadVad(TELEPHONY_TURN_DEFAULTS);
    fakes = await startCloudFakes({ profile: 'zero', script: SCRIPT });
  });

  afterAll(async () => {
    await fakes?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const settings = () => ({
    provider: 'openai' as const,
    apiKey: 'not-needed',
    model: 'fake-whisper',
    language: 'en',
    baseURL: fakes.openai.url,
  });

  it('transcribes each utterance the VAD cuts, one multipart request each', async () => {
    const before = fakes.counters().openai.audio.transcriptions;
    const ears = openAiStt(settings(), vad, ['account']);
    const stream = ears.stream();
    const heard = finals(stream);
    await feed(stream, caller);
    stream.endInput();
    expect(await heard).toEqual(SCRIPT);
    expect(fakes.counters().openai.audio.transcriptions - before).toBe(2);
    await ears.close();
  });

  it('fails the stream when the server fails, and keeps the utterance for the next STT', async () => {
    const ears = openAiStt(settings(), vad, []);
    const stream = ears.stream({
      connOptions: { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 5000 },
    });
    const errors: boolean[] = [];
    ears.on('error', (ev) => errors.push(ev.recoverable));
    fakes.openai.failWith(503);
    try {
      const heard = finals(stream);
      const pcm = caller.subarray(0, Math.round(caller.length / 2) & ~1);
      await feed(stream, pcm);
      await expect(heard).resolves.toEqual([]);
    } finally {
      fakes.openai.failWith(undefined);
    }
    expect(errors.at(-1)).toBe(false);
    const kept = ears.takeUnanswered();
    expect(kept.reduce((t, f) => t + f.samplesPerChannel / f.sampleRate, 0)).toBeGreaterThan(1);
    expect(ears.takeUnanswered()).toEqual([]);
    await ears.close();
  });

  it('speaks sentence by sentence over the speech endpoint, 24 kHz PCM as long as the text asks for', async () => {
    const before = fakes.counters().openai.audio.speechRequests;
    const speech = openAiTts({
      provider: 'openai',
      apiKey: 'not-needed',
      model: 'fake-tts',
      voice: 'fake-voice',
      baseURL: fakes.openai.url,
    });
    const stream = speech.stream();
    const text = 'Sure. I can help with that. Could you tell me a little more?';
    stream.pushText(text);
    stream.flush();
    stream.endInput();
    let samples = 0;
    let rate = 0;
    for await (const ev of stream) {
      if (typeof ev === 'symbol') break;
      samples += ev.frame.samplesPerChannel;
      rate = ev.frame.sampleRate;
    }
    expect(rate).toBe(24000);
    const ms = (samples / 24000) * 1000;
    expect(ms).toBeGreaterThan(replyMs(text) * 0.9);
    expect(ms).toBeLessThan(replyMs(text) * 1.3);
    expect(fakes.counters().openai.audio.speechRequests - before).toBeGreaterThanOrEqual(2);
    await speech.close();
  });
});
