/**
 * The wire analysis of a load run: every call measured from the captured SIP
 * and RTP (not from the product's logs), with the caller logs saying which
 * audio was which utterance. The bench offers PCMU only; a stream in any
 * other codec is refused, since its energy cannot be read as PCMU.
 */
import type { CallerLog, LoadRunArtifacts } from '../load/artifacts.ts';
import type { CallMeasurement } from '../measurements.ts';
import {
  PT_COMFORT_NOISE,
  PT_PCMU,
  readCapture,
  type RtpFrame,
  type WireCapture,
} from './capture.ts';
import { wireUtterances } from './caller-speech.ts';
import { measureConversation } from './conversation.ts';
import { audioGaps } from './gaps.ts';
import { callOutcome } from './outcome.ts';
import { PCMU_SAMPLES_PER_MS } from './pcmu.ts';
import { callSignalling } from './signalling.ts';
import { talkSpurts, type AudioFrame, type VadOptions } from './vad.ts';

const STATIC_PAYLOAD_NAMES: Readonly<Record<number, string>> = {
  3: 'GSM',
  4: 'G.723',
  8: 'PCMA',
  9: 'G.722',
  18: 'G.729',
};

/**
 * Reads the run's pcap once with tshark and measures every call.
 *
 * @example
 * const calls = analyzeRun(await runLoad({ stack, arrivals, script, workDir }));
 */
export function analyzeRun(artifacts: LoadRunArtifacts): readonly CallMeasurement[] {
  const capture = readCapture(artifacts.pcapFile, {
    sip: artifacts.callers.map((c) => c.sipPort),
    media: artifacts.callers.map((c) => c.mediaPort),
  });
  return analyzeCapture(capture, artifacts.callers);
}

/**
 * Measures every caller from an already read capture (pure).
 *
 * @example
 * analyzeCapture(parseTsharkFields(text), artifacts.callers);
 */
export function analyzeCapture(
  capture: WireCapture,
  callers: readonly CallerLog[],
  vad: VadOptions = {},
): CallMeasurement[] {
  const toPort = groupBy(capture.rtp, (p) => p.dstPort);
  const fromPort = groupBy(capture.rtp, (p) => p.srcPort);
  return callers.map((caller) =>
    measureCall(
      caller,
      capture,
      toPort.get(caller.mediaPort) ?? [],
      fromPort.get(caller.mediaPort) ?? [],
      vad,
    ),
  );
}

function measureCall(
  caller: CallerLog,
  capture: WireCapture,
  agentStream: readonly RtpFrame[],
  callerStream: readonly RtpFrame[],
  vad: VadOptions,
): CallMeasurement {
  const sip = callSignalling(capture.sip, caller.sipPort);
  for (const p of agentStream) refuseCodec(caller, p);
  const agentSpurts = talkSpurts(audioFrames(agentStream), vad);
  const spoken = wireUtterances(
    caller.utterances,
    audioFrames(callerStream.filter((p) => p.payloadType === PT_PCMU)),
    vad.voicedRms === undefined ? {} : { voicedRms: vad.voicedRms },
  );
  const allSpoken = caller.utterances.every((u) => u.parts.length > 0);
  const scriptEndMs = allSpoken ? (spoken.utterances.at(-1)?.parts.at(-1)?.endMs ?? 0) : undefined;
  const byes = [sip?.bridgeByeAtMs, sip?.callerByeAtMs].filter((t) => t !== undefined);
  const callEndMs =
    byes.length > 0
      ? Math.min(...byes)
      : Math.max(
          sip?.lastMessageAtMs ?? 0,
          agentStream.at(-1)?.timeMs ?? 0,
          callerStream.at(-1)?.timeMs ?? 0,
        );
  const conversation =
    sip?.answeredAtMs === undefined
      ? undefined
      : measureConversation({
          utterances: spoken.utterances,
          agentSpurts,
          answeredAtMs: sip.answeredAtMs,
          callEndMs,
          digitTimesMs: caller.digits.map((d) => d.atMs),
        });
  const gaps = audioGaps(
    agentStream.map((p) => ({ ...p, durationMs: frameDurationMs(p) })),
    agentSpurts,
  );
  const { outcome, warnings: outcomeWarnings } = callOutcome({
    signalling: sip,
    caller,
    agentSpoke: agentSpurts.length > 0,
    scriptEndMs,
  });
  return {
    id: caller.id,
    sipCallId: sip?.callId ?? '',
    arrivalMs: caller.arrivalMs,
    outcome,
    finalStatus: sip?.finalStatus,
    answerMs:
      sip?.answeredAtMs === undefined ? undefined : Math.round(sip.answeredAtMs - sip.invitedAtMs),
    ringMs:
      sip?.ringEndedAtMs === undefined
        ? undefined
        : Math.round(sip.ringEndedAtMs - sip.invitedAtMs),
    greetingOnsetMs: conversation?.greetingOnsetMs,
    turns: conversation?.turns ?? [],
    unansweredTurns: conversation?.unansweredTurns ?? 0,
    midSentencePauses: conversation?.midSentencePauses ?? 0,
    prematureReplies: conversation?.prematureReplies ?? 0,
    bargeIns: conversation?.bargeIns ?? [],
    audioGaps: gaps.count,
    longestGapMs: gaps.longestMs,
    referTarget: sip?.referTarget,
    warnings: [...outcomeWarnings, ...spoken.warnings, ...(conversation?.warnings ?? [])],
  };
}

/** PCMU and comfort noise are audio; dynamic payload types are telephone-event (the bench's offer). */
function refuseCodec(caller: CallerLog, p: RtpFrame): void {
  if (p.payloadType === PT_PCMU || p.payloadType === PT_COMFORT_NOISE) return;
  if (p.payloadType >= 96 && p.payloadType <= 127) return;
  const name = STATIC_PAYLOAD_NAMES[p.payloadType] ?? 'not PCMU';
  throw new Error(
    `call ${caller.id}: the bridge sent RTP payload type ${p.payloadType} (${name}) to media port ${caller.mediaPort}; ` +
      'the wire analysis reads PCMU only, so the callers must offer PCMU alone',
  );
}

function frameDurationMs(p: RtpFrame): number {
  return p.payloadType === PT_PCMU && p.payloadBytes > 0
    ? p.payloadBytes / PCMU_SAMPLES_PER_MS
    : 20;
}

/** Audio frames of a stream: PCMU by its energy, comfort noise as quiet; DTMF events are not audio. */
function audioFrames(stream: readonly RtpFrame[]): AudioFrame[] {
  return stream
    .filter((p) => p.payloadType === PT_PCMU || p.payloadType === PT_COMFORT_NOISE)
    .map((p) => ({ timeMs: p.timeMs, durationMs: frameDurationMs(p), rms: p.rms }));
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
