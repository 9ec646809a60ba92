/**
 * The session's turn-taking, from the telephony tuning in {@link TurnSettings}.
 * docs/voice-tuning.md explains the defaults.
 */
import type { voice } from '@livekit/agents';
import type { TurnSettings } from './settings.ts';

export type TurnHandling = NonNullable<voice.AgentSessionOptions['turnHandling']>;
export type TurnDetection = NonNullable<voice.AgentSessionOptions['turnDetection']>;

/**
 * AgentSession `turnHandling` options. Interruptions are VAD-based: the
 * adaptive mode would call LiveKit Cloud's interruption model.
 *
 * @example
 * new voice.AgentSession({ vad, stt, llm, tts, turnHandling: turnHandling(settings.turn, localTurnDetector()) });
 */
export function turnHandling(turn: TurnSettings, turnDetection: TurnDetection): TurnHandling {
  return {
    turnDetection,
    endpointing: {
      mode: 'fixed',
      minDelay: turn.minEndpointingDelayMs,
      maxDelay: turn.maxEndpointingDelayMs,
    },
    interruption: {
      enabled: turn.allowInterruptions,
      mode: 'vad',
      minDuration: turn.minInterruptionDurationMs,
    },
    preemptiveGeneration: { enabled: turn.preemptiveGeneration },
  };
}
