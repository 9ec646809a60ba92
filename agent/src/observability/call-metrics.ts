/**
 * A call's voice measurements, from its agent session to the metrics sink:
 * the framework's per-stage metrics (end of utterance, final transcript, LLM
 * first token or realtime model first audio, TTS first byte) and the end-to-end turn latency, from the
 * moment the caller last spoke to the moment the agent's audio starts.
 */
import { voice } from '@livekit/agents';
import { AGENT_METRICS, type TurnStage } from '../../../contracts/metrics.ts';
import type { MetricsSink } from './metric-events.ts';

/** Provider labels: what the STT and turn detection run on (the LLM and TTS label themselves). */
export type CallProviders = Readonly<{ stt: string; turn: string }>;

/**
 * Subscribes to `session`; returns the unsubscribe function.
 *
 * @example
 * const stop = watchCallMetrics(session, sink, 'triage', { stt: 'offline/pocketsphinx', turn: 'vad' });
 */
export function watchCallMetrics(
  session: Pick<voice.AgentSession, 'on' | 'off'>,
  sink: MetricsSink,
  persona: string,
  providers: CallProviders,
  now: () => number = Date.now,
  /** Also told each end-to-end turn latency, seconds (for the call record). */
  onTurnLatency: (seconds: number) => void = () => undefined,
): () => void {
  const stage = (name: TurnStage, provider: string, ms: number) => {
    if (Number.isFinite(ms) && ms >= 0)
      sink.observe(AGENT_METRICS.turnStageSeconds, { persona, stage: name, provider }, ms / 1000);
  };
  /** When the caller last spoke, for the turn the agent is about to answer. */
  let callerStoppedAt: number | undefined;

  const onMetrics = (ev: voice.MetricsCollectedEvent) => {
    const m = ev.metrics;
    switch (m.type) {
      case 'eou_metrics':
        stage('eou_delay', providers.turn, m.endOfUtteranceDelayMs);
        stage('stt_final', providers.stt, m.transcriptionDelayMs);
        callerStoppedAt = m.lastSpeakingTimeMs > 0 ? m.lastSpeakingTimeMs : undefined;
        return;
      case 'llm_metrics':
        if (!m.cancelled) stage('llm_ttft', m.label, m.ttftMs);
        return;
      case 'tts_metrics':
        if (!m.cancelled) stage('tts_ttfb', m.label, m.ttfbMs);
        return;
      // A speech-to-speech model's first audio stands for the LLM's first token.
      case 'realtime_model_metrics':
        if (!m.cancelled) stage('llm_ttft', m.label, m.ttftMs);
        return;
      default:
        return;
    }
  };
  const onAgentState = (ev: voice.AgentStateChangedEvent) => {
    if (ev.newState !== 'speaking' || callerStoppedAt === undefined) return;
    const seconds = (now() - callerStoppedAt) / 1000;
    callerStoppedAt = undefined;
    if (seconds >= 0 && seconds < 3600) {
      sink.observe(AGENT_METRICS.turnLatencySeconds, { persona }, seconds);
      onTurnLatency(seconds);
    }
  };
  session.on(voice.AgentSessionEventTypes.MetricsCollected, onMetrics);
  session.on(voice.AgentSessionEventTypes.AgentStateChanged, onAgentState);
  return () => {
    session.off(voice.AgentSessionEventTypes.MetricsCollected, onMetrics);
    session.off(voice.AgentSessionEventTypes.AgentStateChanged, onAgentState);
  };
}
