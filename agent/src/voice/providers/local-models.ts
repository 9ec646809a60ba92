/**
 * The models that run inside the worker, with no network and no download:
 * Silero VAD (ONNX model shipped in `@livekit/agents-plugin-silero`, run by
 * onnxruntime-node on the CPU) and LiveKit's audio end-of-turn detector
 * `turn-detector-v1-mini` (weights compiled into `@livekit/local-inference`,
 * run by the worker's shared inference process).
 */
import { inference, type VAD } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import type { TurnSettings } from './settings.ts';

/**
 * The rate Silero runs at. Silero is trained at 8 and 16 kHz; phone audio
 * carries nothing above 4 kHz, so 8 kHz loses nothing and halves the
 * inference work per 32 ms window. The VAD stream resamples its input.
 */
export const VAD_SAMPLE_RATE = 8000;

/**
 * What the worker's prewarm stores in `JobProcess.userData` for its call:
 * models loaded once per job process, before the call arrives.
 */
export type PrewarmedVoice = { vad: VAD };

/**
 * Loads Silero VAD from the plugin's bundled ONNX model (about 0.1 s). Call it
 * from `prewarm`, not per call.
 *
 * @example
 * export default defineAgent<Partial<PrewarmedVoice>>({
 *   prewarm: async (proc) => {
 *     proc.userData.vad = await loadVad(agentConfig().voice.turn);
 *   },
 *   entry: async (ctx) => answerCall(ctx, agentConfig(), ctx.proc.userData.vad),
 * });
 */
export async function loadVad(turn: Pick<TurnSettings, 'vadMinSilenceMs'>): Promise<VAD> {
  return silero.VAD.load({
    sampleRate: VAD_SAMPLE_RATE,
    minSilenceDuration: turn.vadMinSilenceMs,
    forceCPU: true,
  });
}

/** The end-of-turn detector's name in logs and metric labels. */
export const LOCAL_TURN_DETECTOR = 'livekit/turn-detector-v1-mini';

/**
 * The local audio end-of-turn detector. It predicts, from the last 1.2 s of
 * the caller's audio, whether a pause ends the turn; the session then waits
 * the minimum or the maximum endpointing delay. The version is pinned to the
 * local model: left to choose, agents-js picks the LiveKit Cloud model when
 * `LIVEKIT_REMOTE_EOT_URL` or `LIVEKIT_DEV_MODE` is set.
 *
 * Create it inside the job (it binds to the job's inference executor);
 * outside a job it predicts "turn over" every time, so turns end after the
 * minimum delay.
 *
 * @example
 * const session = new voice.AgentSession({ vad, turnHandling: { turnDetection: localTurnDetector() } });
 */
export function localTurnDetector(): inference.TurnDetector {
  return new inference.TurnDetector({ version: 'v1-mini' });
}
