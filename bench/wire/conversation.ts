/**
 * What the caller felt of the conversation, from two timelines on the wire:
 * the caller's utterances (wire times) and the agent's talk-spurts.
 *
 * - Turn latency: end of the utterance's last part to the first agent onset after it, if that
 *   comes before the caller moves on (next utterance, a keypad digit, or the call's end).
 *   Speech already under way when the caller stopped is not an onset.
 * - Premature reply: an agent onset inside a mid-sentence pause, or during the part after it,
 *   while the agent was silent when the pause began.
 * - Barge-in stop: a barge-in utterance that starts while the agent speaks, from the caller's
 *   onset to the end of that agent spurt; when the agent spoke on past the utterance's end, the
 *   utterance's whole length, marked as not stopped, with how long the agent went on after it.
 */
import type { BargeInMeasurement, TurnMeasurement } from '../measurements.ts';
import type { WireUtterance } from './caller-speech.ts';
import { firstOnset, speakingAt, type TalkSpurt } from './vad.ts';

export type ConversationInput = Readonly<{
  utterances: readonly WireUtterance[];
  agentSpurts: readonly TalkSpurt[];
  answeredAtMs: number;
  /** When the call ended for the caller (first BYE, or the last packet). */
  callEndMs: number;
  /** Wire or log times of keypad digits: the caller moving on, like a new utterance. */
  digitTimesMs?: readonly number[];
}>;

export type Conversation = Readonly<{
  greetingOnsetMs: number | undefined;
  turns: readonly TurnMeasurement[];
  unansweredTurns: number;
  midSentencePauses: number;
  prematureReplies: number;
  bargeIns: readonly BargeInMeasurement[];
  warnings: readonly string[];
}>;

/**
 * @example
 * const c = measureConversation({ utterances, agentSpurts, answeredAtMs, callEndMs });
 * c.turns; // [{ utterance: 0, latencyMs: 812 }, ...]
 */
export function measureConversation(input: ConversationInput): Conversation {
  const { utterances, agentSpurts, answeredAtMs, callEndMs } = input;
  const digits = [...(input.digitTimesMs ?? [])].sort((a, b) => a - b);
  const warnings: string[] = [];
  const firstSpeech = utterances[0]?.parts[0]?.startMs ?? callEndMs;
  const greeting = firstOnset(agentSpurts, answeredAtMs - 1, Math.min(firstSpeech, callEndMs));

  const turns: TurnMeasurement[] = [];
  let unansweredTurns = 0;
  let midSentencePauses = 0;
  let prematureReplies = 0;
  const bargeIns: BargeInMeasurement[] = [];

  utterances.forEach((u, k) => {
    const start = u.parts[0]?.startMs;
    const end = u.parts.at(-1)?.endMs;
    if (start === undefined || end === undefined) return;
    const nextStart = utterances[k + 1]?.parts[0]?.startMs ?? Infinity;
    const nextDigit = digits.find((d) => d > end) ?? Infinity;
    const deadline = Math.min(nextStart, nextDigit, callEndMs);
    const reply = firstOnset(agentSpurts, end, deadline);
    if (reply) turns.push({ utterance: u.index, latencyMs: Math.round(reply.startMs - end) });
    else unansweredTurns++;

    for (let i = 0; i + 1 < u.parts.length; i++) {
      const pauseStart = u.parts[i]?.endMs ?? 0;
      const nextPartEnd = u.parts[i + 1]?.endMs ?? 0;
      midSentencePauses++;
      if (speakingAt(agentSpurts, pauseStart)) continue;
      if (firstOnset(agentSpurts, pauseStart, nextPartEnd + 0.001)) prematureReplies++;
    }

    if (u.bargeIn) {
      const talkedOver = speakingAt(agentSpurts, start);
      if (!talkedOver) {
        warnings.push(
          `utterance ${u.index} was meant as a barge-in but the agent was silent when it began`,
        );
      } else if (talkedOver.endMs <= end) {
        bargeIns.push({ stopMs: Math.round(talkedOver.endMs - start), stopped: true });
      } else {
        bargeIns.push({
          stopMs: Math.round(end - start),
          stopped: false,
          overrunMs: Math.round(talkedOver.endMs - end),
        });
      }
    }
  });

  return {
    greetingOnsetMs: greeting ? Math.round(greeting.startMs - answeredAtMs) : undefined,
    turns,
    unansweredTurns,
    midSentencePauses,
    prematureReplies,
    bargeIns,
    warnings,
  };
}
