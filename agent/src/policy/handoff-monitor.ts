/**
 * Watches a call against its persona's handoff policy. Pure: fed caller
 * turns, silences and the clock, it answers with what the call runner must do.
 * Every handoff carries a reason code that travels in the UUI, the context
 * record and the logs.
 */
import type { PolicyHandoffReason } from '../../../contracts/call-outcome.ts';
import { normalizeUtterance } from '../language/utterance.ts';
import type { HandoffPolicy } from './handoff-policy.ts';

export type Decision =
  | { readonly action: 'none' }
  | { readonly action: 'say'; readonly text: string }
  | { readonly action: 'handoff'; readonly reason: PolicyHandoffReason; readonly detail: string }
  | { readonly action: 'end'; readonly say: string };

const NONE: Decision = Object.freeze({ action: 'none' });

export type HandoffMonitor = Readonly<{
  /** A final transcript of what the caller said. */
  callerTurn: (text: string, confidence?: number) => Decision;
  /** The caller has been silent for the session's away timeout. */
  silence: () => Decision;
  /** Seconds since the call was answered (call on a timer). */
  elapsed: (seconds: number) => Decision;
  /**
   * The handoff it decided did not go through: the caller stays with the
   * agent, and every condition counts afresh from now (turns, words,
   * silences, and the session clock, which restarts at the current time).
   */
  handoffFailed: () => void;
}>;

/**
 * @example
 * const monitor = createHandoffMonitor(parseHandoffPolicy());
 * monitor.callerTurn('can I talk to a real person'); // { action: 'handoff', reason: 'caller_request', ... }
 */
export function createHandoffMonitor(policy: HandoffPolicy): HandoffMonitor {
  const humanPhrases = policy.humanRequest.map(normalizeUtterance);
  const negativePhrases = policy.frustration.negativeWords.map(normalizeUtterance);
  let turns = 0;
  let negativeTurns = 0;
  let lowConfidenceRun = 0;
  let repeats = 1;
  let lastTurn: string[] = [];
  let silences = 0;
  let warned = false;
  let done = false;
  /** Session seconds at the last failed handoff: limits count from there. */
  let clockFrom = 0;
  let lastSeconds = 0;

  const handoff = (reason: PolicyHandoffReason, detail: string): Decision => {
    done = true;
    return { action: 'handoff', reason, detail };
  };

  return {
    callerTurn: (text, confidence) => {
      if (done) return NONE;
      silences = 0;
      const said = normalizeUtterance(text);
      if (said === '') return NONE;
      turns++;
      if (humanPhrases.some((p) => containsWords(said, p)))
        return handoff('caller_request', 'asked for a person');

      if (negativePhrases.some((p) => containsWords(said, p))) negativeTurns++;
      if (negativeTurns >= policy.frustration.maxNegativeTurns)
        return handoff('frustration', 'negative words');

      const tokens = said.split(' ');
      repeats = similarity(tokens, lastTurn) >= 0.6 ? repeats + 1 : 1;
      lastTurn = tokens;
      if (repeats >= policy.frustration.maxRepeats)
        return handoff('frustration', 'repeated the same request');

      const low = confidence !== undefined && confidence < policy.frustration.lowConfidenceBelow;
      lowConfidenceRun = low ? lowConfidenceRun + 1 : 0;
      if (lowConfidenceRun >= policy.frustration.maxLowConfidence) {
        return handoff('frustration', 'could not understand the caller');
      }

      if (turns >= policy.maxTurns) return handoff('turn_limit', `${turns} turns`);
      return NONE;
    },
    silence: () => {
      if (done) return NONE;
      const prompt = policy.silence.prompts[silences];
      silences++;
      if (prompt !== undefined) return { action: 'say', text: prompt };
      if (policy.silence.then === 'end') {
        done = true;
        return { action: 'end', say: policy.silence.goodbye };
      }
      return handoff('silence', `${silences - 1} prompts unanswered`);
    },
    elapsed: (total) => {
      lastSeconds = total;
      if (done) return NONE;
      const seconds = total - clockFrom;
      if (seconds >= policy.maxSessionSeconds) return handoff('time_limit', `${total} s`);
      if (!warned && seconds >= policy.maxSessionSeconds - policy.warnBeforeSeconds) {
        warned = true;
        return { action: 'say', text: policy.timeLimitWarning };
      }
      return NONE;
    },
    handoffFailed: () => {
      if (!done) return;
      done = false;
      turns = 0;
      negativeTurns = 0;
      lowConfidenceRun = 0;
      repeats = 1;
      lastTurn = [];
      silences = 0;
      warned = false;
      clockFrom = lastSeconds;
    },
  };
}

function containsWords(text: string, phrase: string): boolean {
  return ` ${text} `.includes(` ${phrase} `);
}

/** Share of the shorter turn's words that the other turn also has. */
function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const other = new Set(b);
  const shared = a.filter((w) => other.has(w)).length;
  return shared / Math.min(a.length, b.length);
}
