import { inference } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import { TELEPHONY_TURN_DEFAULTS } from './settings.ts';
import { turnHandling } from './turn-handling.ts';

describe('turnHandling', () => {
  it('maps the telephony defaults onto the session options, with VAD barge-in', () => {
    const detector = new inference.TurnDetector({ version: 'v1-mini' });
    expect(turnHandling(TELEPHONY_TURN_DEFAULTS, detector)).toEqual({
      turnDetection: detector,
      endpointing: { mode: 'fixed', minDelay: 400, maxDelay: 3000 },
      interruption: { enabled: true, mode: 'vad', minDuration: 600 },
      preemptiveGeneration: { enabled: true },
    });
  });

  it('switches barge-in and preemptive generation off', () => {
    const options = turnHandling(
      { ...TELEPHONY_TURN_DEFAULTS, allowInterruptions: false, preemptiveGeneration: false },
      'vad',
    );
    expect(options.interruption?.enabled).toBe(false);
    expect(options.preemptiveGeneration).toEqual({ enabled: false });
    expect(options.turnDetection).toBe('vad');
  });
});
