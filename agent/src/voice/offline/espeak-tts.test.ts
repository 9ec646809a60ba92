import { initializeLogger, type tts } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultEspeakOptions, ESPEAK_SAMPLE_RATE, EspeakTTS } from './espeak-tts.ts';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'warn' });
});

async function synthesizeAll(engine: EspeakTTS, text: string): Promise<tts.SynthesizedAudio[]> {
  const out: tts.SynthesizedAudio[] = [];
  for await (const audio of engine.synthesize(text)) out.push(audio);
  return out;
}

function rms(audio: readonly tts.SynthesizedAudio[]): number {
  let sum = 0;
  let n = 0;
  for (const { frame } of audio) {
    for (const s of frame.data) {
      sum += s * s;
      n += 1;
    }
  }
  return Math.sqrt(sum / n);
}

const seconds = (audio: readonly tts.SynthesizedAudio[]) =>
  audio.reduce((total, a) => total + a.frame.samplesPerChannel, 0) / ESPEAK_SAMPLE_RATE;

describe('EspeakTTS', () => {
  it('describes itself as a 22.05 kHz mono, non-streaming offline TTS', () => {
    const engine = new EspeakTTS();
    expect(engine.sampleRate).toBe(22050);
    expect(engine.numChannels).toBe(1);
    expect(engine.capabilities.streaming).toBe(false);
    expect(engine.model).toBe('espeak-ng/en-us');
    expect(engine.provider).toBe('offline');
    expect(engine.label).toBe('offline.EspeakTTS');
  });

  it('merges options over the defaults and freezes them', () => {
    const engine = new EspeakTTS({ voice: 'en-gb', pitch: 60 });
    expect(engine.options).toEqual({ ...defaultEspeakOptions, voice: 'en-gb', pitch: 60 });
    expect(engine.model).toBe('espeak-ng/en-gb');
    expect(Object.isFrozen(engine.options)).toBe(true);
  });

  it('refuses streaming: the session wraps it in a StreamAdapter', () => {
    expect(() => new EspeakTTS().stream()).toThrow(/StreamAdapter/);
  });
});

describe('EspeakTTS.synthesize', () => {
  it('speaks a sentence as 22.05 kHz mono frames ending with one final frame', async () => {
    const audio = await synthesizeAll(new EspeakTTS(), 'Thank you for calling.');
    expect(audio.length).toBeGreaterThan(1);
    for (const { frame } of audio) {
      expect(frame.sampleRate).toBe(22050);
      expect(frame.channels).toBe(1);
      expect(frame.samplesPerChannel).toBeGreaterThan(0);
    }
    const duration = seconds(audio);
    expect(duration).toBeGreaterThan(0.5);
    expect(duration).toBeLessThan(5);
    expect(rms(audio)).toBeGreaterThan(300);
    expect(audio.map((a) => a.final)).toEqual([...audio.slice(1).map(() => false), true]);
    expect(new Set(audio.map((a) => a.requestId)).size).toBe(1);
    expect(audio[0]?.segmentId).toBe(audio[0]?.requestId);
  });

  it('collects into one frame with the same audio', async () => {
    const engine = new EspeakTTS();
    const frames = await synthesizeAll(engine, 'Thank you for calling.');
    const frame = await engine.synthesize('Thank you for calling.').collect();
    expect(frame.sampleRate).toBe(22050);
    expect(frame.channels).toBe(1);
    expect(frame.samplesPerChannel).toBe(seconds(frames) * ESPEAK_SAMPLE_RATE);
  });

  it('speaks faster with more words per minute', async () => {
    const normal = seconds(await synthesizeAll(new EspeakTTS(), 'Thank you for calling.'));
    const fast = seconds(
      await synthesizeAll(new EspeakTTS({ wordsPerMinute: 340 }), 'Thank you for calling.'),
    );
    expect(fast).toBeLessThan(normal * 0.8);
  });

  it('keeps the input text and speaks it', async () => {
    const stream = new EspeakTTS().synthesize('Please hold.');
    expect(stream.inputText).toBe('Please hold.');
    const frame = await stream.collect();
    expect(frame.samplesPerChannel / ESPEAK_SAMPLE_RATE).toBeGreaterThan(0.3);
  });
});
