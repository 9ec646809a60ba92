/**
 * The rate the call's audio runs at inside the agent, in both directions.
 *
 * A Genesys trunk carries G.711 at 8 kHz; livekit-sip sends it to the room
 * as 48 kHz Opus and the room input decodes and resamples it natively, in
 * the same FFI event that delivers each frame. What runs on the frames
 * decides the rate: LiveKit's audio end-of-turn model and PocketSphinx take
 * 16 kHz, so at 16 kHz neither resamples; Silero (8 kHz, see
 * local-models.ts) resamples once, and Deepgram's 8 kHz is halved in plain
 * JavaScript (audio/half-rate.ts). The framework's default of 24 kHz made
 * every one of them resample through an FFI round trip per 10 ms frame. On
 * the way out, ElevenLabs speaks 16 kHz PCM and livekit-sip encodes 8 kHz.
 */
export const CALL_AUDIO_SAMPLE_RATE = 16_000;

/**
 * The length of the caller's audio frames inside the agent (call-input.ts).
 * Longer frames mean less per-frame work but a later VAD decision: 40 ms
 * adds at most 30 ms to when the end of speech is heard, and took most of
 * the measured saving (20 ms gained less, 100 ms no more).
 */
export const CALL_AUDIO_FRAME_MS = 40;
