import { EventEmitter } from 'node:events';
import { voice } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { watchCallMetrics } from './call-metrics.ts';
import type { MetricsSink } from './metric-events.ts';

function recorder() {
  const observed: [string, Record<string, string>, number][] = [];
  const sink: MetricsSink = {
    observe: (metric, labels, value) => void observed.push([metric, { ...labels }, value]),
    inc: () => undefined,
  };
  return { observed, sink };
}

const E = voice.AgentSessionEventTypes;

describe('watchCallMetrics', () => {
  it('reports each stage and the turn latency from the caller’s last word to agent audio', () => {
    const session = new EventEmitter();
    const { observed, sink } = recorder();
    let clock = 10_000;
    const stop = watchCallMetrics(
      session as unknown as voice.AgentSession,
      sink,
      'triage',
      { stt: 'offline/pocketsphinx', turn: 'offline/pocketsphinx' },
      () => clock,
    );
    session.emit(E.MetricsCollected, {
      metrics: {
        type: 'eou_metrics',
        endOfUtteranceDelayMs: 520,
        transcriptionDelayMs: 610,
        lastSpeakingTimeMs: 9_000,
        onUserTurnCompletedDelayMs: 0,
        timestamp: 0,
      },
    });
    session.emit(E.MetricsCollected, {
      metrics: { type: 'llm_metrics', label: 'openai.LLM', ttftMs: 350, cancelled: false },
    });
    session.emit(E.MetricsCollected, {
      metrics: { type: 'tts_metrics', label: 'elevenlabs.TTS', ttfbMs: 180, cancelled: true },
    });
    clock = 10_200;
    session.emit(E.AgentStateChanged, { oldState: 'thinking', newState: 'speaking' });
    // A second speaking turn with no caller turn before it is not a turn latency.
    session.emit(E.AgentStateChanged, { oldState: 'listening', newState: 'speaking' });
    stop();
    session.emit(E.AgentStateChanged, { oldState: 'listening', newState: 'speaking' });

    expect(observed).toEqual([
      [
        'gva_turn_stage_seconds',
        { persona: 'triage', stage: 'eou_delay', provider: 'offline/pocketsphinx' },
        0.52,
      ],
      [
        'gva_turn_stage_seconds',
        { persona: 'triage', stage: 'stt_final', provider: 'offline/pocketsphinx' },
        0.61,
      ],
      [
        'gva_turn_stage_seconds',
        { persona: 'triage', stage: 'llm_ttft', provider: 'openai.LLM' },
        0.35,
      ],
      ['gva_turn_latency_seconds', { persona: 'triage' }, 1.2],
    ]);
    expect(session.listenerCount(E.MetricsCollected)).toBe(0);
  });

  it("counts a realtime model's first audio as the reply's first token", () => {
    const session = new EventEmitter();
    const { observed, sink } = recorder();
    watchCallMetrics(session as unknown as voice.AgentSession, sink, 'triage', {
      stt: 'deepgram',
      turn: 'livekit',
    });
    session.emit(E.MetricsCollected, {
      metrics: {
        type: 'realtime_model_metrics',
        label: 'openai_realtime',
        ttftMs: 420,
        cancelled: false,
      },
    });
    session.emit(E.MetricsCollected, {
      metrics: {
        type: 'realtime_model_metrics',
        label: 'openai_realtime',
        ttftMs: 90,
        cancelled: true,
      },
    });
    expect(observed).toEqual([
      [
        'gva_turn_stage_seconds',
        { persona: 'triage', stage: 'llm_ttft', provider: 'openai_realtime' },
        0.42,
      ],
    ]);
  });
});
