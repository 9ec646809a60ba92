/**
 * The FAKE providers against the real plugins, without a stack: what
 * `@livekit/agents-plugin-deepgram`, `-openai` and `-elevenlabs` 1.9.0 (and,
 * where the benchmark's Python environment exists, the Python peer's
 * `livekit-plugins-*` 1.8.9) send and receive, end to end over loopback.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { initializeLogger, llm, stt } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as elevenlabs from '@livekit/agents-plugin-elevenlabs';
import * as openai from '@livekit/agents-plugin-openai';
import { AudioFrame } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeafnessWatchdogSTT } from '../../agent/src/voice/providers/stt-watchdog.ts';
import { callerPcm } from '../harness/audio.ts';
import { REPO_ROOT } from '../harness/tools.ts';
import { startCloudFakes, type CloudFakes } from './cloud.ts';
import { REPLIES } from './openai-replies.ts';
import { replyMs } from './speech-clip.ts';

const SCRIPT = ['I have a question about my account.', "I'd like to talk | to a person."];
const BENCH_PYTHON = join(REPO_ROOT, '.tools', 'bench-python', 'bin', 'python');

/** Feeds PCM to a plugin stream faster than real time (the fake segments by audio time). */
async function feed(stream: stt.SpeechStream, pcm: Buffer): Promise<void> {
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    stream.pushFrame(new AudioFrame(samples.slice(i, i + 160), 8000, 1, 160));
    if (i % 1600 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function collect(stream: stt.SpeechStream): Promise<stt.SpeechEvent[]> {
  const events: stt.SpeechEvent[] = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

const texts = (events: readonly stt.SpeechEvent[], type: stt.SpeechEventType) =>
  events.filter((e) => e.type === type).map((e) => e.alternatives?.[0]?.text ?? '');

const waitFor = async (check: () => boolean, ms: number): Promise<void> => {
  for (let waited = 0; !check(); waited += 50) {
    if (waited >= ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('FAKE providers with the real Node plugins', () => {
  let fakes: CloudFakes;
  let dir: string;
  let caller: Buffer;

  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'fatal' });
    dir = mkdtempSync(join(tmpdir(), 'fakes-plugins-'));
    // The second line is said with a pause where the script's `|` is.
    caller = callerPcm(
      dir,
      ['Hello, I have a question about my account.', "I'd like to talk", 'to a person.'],
      { rate: 8000, pauseSeconds: 1.2 },
    );
    fakes = await startCloudFakes({ profile: 'zero', script: SCRIPT });
  });

  afterAll(async () => {
    await fakes?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('Deepgram', () => {
    it('answers each utterance with the next script segment, interim results first', async () => {
      const plugin = new deepgram.STT({
        apiKey: 'fake-deepgram-key',
        baseUrl: fakes.agentEnv['DEEPGRAM_BASE_URL'] ?? '',
        sampleRate: 8000,
        interimResults: true,
      });
      const stream = plugin.stream();
      const events = collect(stream);
      await feed(stream, caller);
      stream.endInput();
      const seen = await events;
      expect(texts(seen, stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual([
        'I have a question about my account.',
        "I'd like to talk",
        'to a person.',
      ]);
      expect(texts(seen, stt.SpeechEventType.INTERIM_TRANSCRIPT).length).toBeGreaterThan(0);
      expect(seen.filter((e) => e.type === stt.SpeechEventType.END_OF_SPEECH)).toHaveLength(3);
      expect(fakes.deepgram.queries().at(-1)).toMatchObject({
        encoding: 'linear16',
        sample_rate: '8000',
        interim_results: 'true',
        vad_events: 'true',
      });
      await plugin.close();
    });

    it('refuses connections during an outage, which the plugin reports as an error', async () => {
      fakes.deepgram.failAfter(0);
      try {
        const plugin = new deepgram.STT({
          apiKey: 'fake-deepgram-key',
          baseUrl: fakes.agentEnv['DEEPGRAM_BASE_URL'] ?? '',
          sampleRate: 8000,
        });
        const errors: unknown[] = [];
        plugin.on('error', (ev) => errors.push(ev));
        const stream = plugin.stream();
        const events = collect(stream);
        await feed(stream, caller.subarray(0, 16000));
        await waitFor(() => errors.length > 0, 10_000);
        stream.close();
        await events.catch(() => []);
        expect(fakes.counters().deepgram.refused).toBeGreaterThan(0);
        await plugin.close();
      } finally {
        fakes.deepgram.recover();
      }
    });

    // livekit/agents-js#2469: the Node plugin logs an unexpected close but
    // never rejects, so the stream goes deaf and a FallbackAdapter never
    // switches. This starts failing (and should become a plain `it`) once
    // the plugin notices the close.
    it.fails('surfaces a close mid-stream as an error (agents-js 1.9.0 does not)', async () => {
      const plugin = new deepgram.STT({
        apiKey: 'fake-deepgram-key',
        baseUrl: fakes.agentEnv['DEEPGRAM_BASE_URL'] ?? '',
        sampleRate: 8000,
      });
      const errors: unknown[] = [];
      plugin.on('error', (ev) => errors.push(ev));
      const stream = plugin.stream();
      const events = collect(stream);
      fakes.deepgram.failAfter(1);
      try {
        await feed(stream, caller);
        await waitFor(() => errors.length > 0, 5000);
      } finally {
        stream.close();
        await events.catch(() => []);
        await plugin.close();
        fakes.deepgram.recover();
      }
    });

    it('fails a stream deafened by a mid-stream close, behind our DeafnessWatchdogSTT (one refused reconnection)', async () => {
      const plugin = new deepgram.STT({
        apiKey: 'fake-deepgram-key',
        baseUrl: fakes.agentEnv['DEEPGRAM_BASE_URL'] ?? '',
        sampleRate: 8000,
      });
      const ears = new DeafnessWatchdogSTT(plugin);
      const errors: Parameters<stt.STTCallbacks['error']>[0][] = [];
      ears.on('error', (ev) => errors.push(ev));
      const refusedBefore = fakes.counters().deepgram.refused;
      // The FallbackAdapter's options for its children: one retry.
      const stream = ears.stream({
        connOptions: { maxRetry: 1, timeoutMs: 10_000, retryIntervalMs: 5000 },
      });
      const events = collect(stream);
      fakes.deepgram.failAfter(1);
      try {
        // The first utterance is answered, then the socket closes; the rest goes unheard.
        await feed(stream, Buffer.concat([caller, caller]));
        await waitFor(() => errors.length > 0, 10_000);
        const seen = await events;
        expect(texts(seen, stt.SpeechEventType.FINAL_TRANSCRIPT)).toEqual([
          'I have a question about my account.',
        ]);
        expect(errors.map((e) => e.error.message)).toEqual([
          'Deepgram WebSocket connection rejected with status 503',
        ]);
        expect(errors[0]?.recoverable).toBe(false);
        expect(stream._failed).toBe(true);
        expect(fakes.counters().deepgram.refused).toBe(refusedBefore + 1);
      } finally {
        stream.close();
        await ears.close();
        fakes.deepgram.recover();
      }
    });
  });

  describe('OpenAI', () => {
    const tools = {
      transfer_to_queue: llm.tool({
        description: 'Transfer the caller to a queue.',
        parameters: z.object({
          queue: z.enum(['billing', 'general']),
          summary: z.string().max(300),
        }),
        execute: async () => 'ok',
      }),
    };
    const ask = async (said: string) => {
      const brain = new openai.LLM({
        apiKey: 'fake-openai-key',
        baseURL: fakes.agentEnv['OPENAI_BASE_URL'] ?? '',
        model: 'fake-gpt-4.1-mini',
      });
      const chat = llm.ChatContext.empty();
      chat.addMessage({ role: 'system', content: 'You route callers.' });
      chat.addMessage({ role: 'user', content: said });
      let text = '';
      const calls: { name: string; args: string }[] = [];
      let usage = false;
      for await (const chunk of brain.chat({ chatCtx: chat, toolCtx: tools })) {
        text += chunk.delta?.content ?? '';
        for (const call of chunk.delta?.toolCalls ?? [])
          calls.push({ name: call.name, args: call.args });
        usage ||= chunk.usage !== undefined;
      }
      await brain.aclose();
      return { text, calls, usage };
    };

    it('streams a short reply, with the usage chunk the plugin asks for', async () => {
      await expect(ask('I have a question about my account.')).resolves.toEqual({
        text: REPLIES.turn,
        calls: [],
        usage: true,
      });
    });

    it('calls the transfer tool with valid arguments when the caller asks for a person', async () => {
      const reply = await ask("I'd like to talk to a person.");
      expect(reply.calls.map((c) => c.name)).toEqual(['transfer_to_queue']);
      const args = z
        .object({ queue: z.enum(['billing', 'general']), summary: z.string().max(300) })
        .parse(JSON.parse(reply.calls[0]?.args ?? ''));
      expect(args.queue).toBe('general');
    });

    it('picks the queue the caller named', async () => {
      const reply = await ask('There is a wrong charge on my bill.');
      expect(JSON.parse(reply.calls[0]?.args ?? '')).toMatchObject({ queue: 'billing' });
    });
  });

  describe('ElevenLabs', () => {
    const speaker = () =>
      new elevenlabs.TTS({
        apiKey: 'fake-elevenlabs-key',
        baseURL: fakes.agentEnv['ELEVENLABS_BASE_URL'] ?? '',
        encoding: 'pcm_16000',
      });

    it('streams speech over multi-stream-input, as long as the text asks for', async () => {
      const tts = speaker();
      const stream = tts.stream();
      const text = 'Sure. I can help with that. Could you tell me a little more?';
      stream.pushText(text);
      stream.flush();
      stream.endInput();
      let samples = 0;
      let loud = 0;
      for await (const ev of stream) {
        if (typeof ev === 'symbol') break;
        samples += ev.frame.samplesPerChannel;
        if (ev.frame.data.some((s) => Math.abs(s) > 1000)) loud++;
      }
      // About 70 ms per character, however the plugin splits the text into sentences.
      const ms = (samples / 16000) * 1000;
      expect(ms).toBeGreaterThan(replyMs(text) * 0.9);
      expect(ms).toBeLessThan(replyMs(text) * 1.1);
      expect(loud).toBeGreaterThan(0);
      await tts.close();
    });

    it('synthesizes over the HTTP stream endpoint', async () => {
      const tts = speaker();
      let samples = 0;
      for await (const ev of tts.synthesize('Hello there.')) samples += ev.frame.samplesPerChannel;
      expect((samples / 16000) * 1000).toBeGreaterThanOrEqual(replyMs('Hello there.') - 100);
      expect(fakes.counters().elevenlabs.httpRequests).toBeGreaterThan(0);
      await tts.close();
    });
  });

  describe.skipIf(!existsSync(BENCH_PYTHON))(
    'the Python peer plugins (livekit-plugins-* 1.8.9)',
    () => {
      it('transcribe, reply, call the tool and speak (MP3 by default)', async () => {
        const raw = join(dir, 'caller.raw');
        // Asynchronously: the fakes answer from this process's event loop.
        const { stdout: out } = await promisify(execFile)(
          BENCH_PYTHON,
          [
            join(import.meta.dirname, 'python-plugins.py'),
            fakes.python.deepgramBaseUrl,
            fakes.python.openaiBaseUrl,
            fakes.python.elevenlabsBaseUrl,
            raw,
          ],
          { encoding: 'utf8', timeout: 90_000 },
        );
        const result = z
          .object({
            stt: z.object({ finals: z.array(z.string()), interims: z.number() }),
            llm: z.array(
              z.object({
                said: z.string(),
                text: z.string(),
                calls: z.array(z.object({ name: z.string() }).loose()),
              }),
            ),
            tts: z.object({
              sampleRate: z.number(),
              streamedSeconds: z.number(),
              chunkedSeconds: z.number(),
            }),
          })
          .parse(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
        expect(result.stt.finals).toEqual([
          'I have a question about my account.',
          "I'd like to talk",
          'to a person.',
        ]);
        expect(result.llm[0]?.text).toBe(REPLIES.turn);
        expect(result.llm[1]?.calls.map((c) => c.name)).toEqual(['transfer_to_queue']);
        expect(result.tts.sampleRate).toBe(22050);
        expect(result.tts.streamedSeconds).toBeGreaterThan(3);
        expect(result.tts.chunkedSeconds).toBeGreaterThan(0.5);
      });
    },
  );
});
