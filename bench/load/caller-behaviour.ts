/**
 * How a benchmark caller converses: it listens to the greeting to its end,
 * says each utterance of its script once the agent's reply is over (after a
 * natural pause), pauses inside the sentence where the script says so,
 * talks over the agent once, presses its digit between turns, and at the end
 * waits for the transfer it asked for (once the agent has answered the
 * request), hanging up if none comes.
 *
 * The line it talks on (the RTP sender and what the caller hears) is an
 * interface, so this logic runs the same against the real media process and
 * against a simulated agent in tests. Everything it did, it records.
 */
import type { CallerUtterance, SpokenPart } from './artifacts.ts';
import type { RenderedScript } from './speech.ts';

export type CallerBehaviour = Readonly<{
  /** Agent silence that ends its turn (greeting or reply). */
  agentSilenceMs: number;
  /** No agent speech at all this long after the answer: speak anyway. */
  greetingGiveUpMs: number;
  /** No reply starting this long after an utterance: move on. */
  replyGiveUpMs: number;
  /** Longest the caller waits for a turn that keeps going. */
  turnMaxMs: number;
  /** Natural pause before speaking after the agent's turn, uniform in [min, max]. */
  pauseMs: readonly [number, number];
  /** Pause inside a sentence, uniform in [min, max]. */
  midSentencePauseMs: readonly [number, number];
  /** A barge-in starts this long after the onset of the agent's reply. */
  bargeInDelayMs: number;
  /** The agent counts as still talking at the barge-in if voiced this recently. */
  bargeInHangoverMs: number;
  /** After the agent's answer to the last utterance (a request for a person), how long to wait for a REFER. */
  referWaitMs: number;
}>;

export const DEFAULT_BEHAVIOUR: CallerBehaviour = Object.freeze({
  agentSilenceMs: 800,
  greetingGiveUpMs: 10_000,
  replyGiveUpMs: 8_000,
  turnMaxMs: 30_000,
  pauseMs: [300, 1200] as const,
  midSentencePauseMs: [300, 700] as const,
  bargeInDelayMs: 700,
  bargeInHangoverMs: 300,
  referWaitMs: 10_000,
});

/** What the caller knows of the agent's speech (see SpeechDetector). */
export type AgentEar = Readonly<{
  silentFor: (nowMs: number) => number;
  speaking: (nowMs: number, hangoverMs: number) => boolean;
  onsetSince: (sinceMs: number) => number | undefined;
}>;

/** The call as the caller's script drives it; every wait rejects once the call has ended. */
export type CallerLine = Readonly<{
  /** Epoch ms. */
  now: () => number;
  agent: AgentEar;
  /** Resolves true once `predicate` holds (checked every packet time), false after `timeoutMs`. */
  until: (predicate: () => boolean, timeoutMs: number) => Promise<boolean>;
  sleep: (ms: number) => Promise<void>;
  /** Sends a clip (raw mu-law); resolves with the send times of its first and last packets. */
  speak: (clip: Uint8Array) => Promise<SpokenPart>;
  /** Sends one key as telephone-events; resolves with the send time of its first packet. */
  press: (key: string) => Promise<number>;
  /** True once a REFER arrived. */
  referred: () => boolean;
  /** Asks the SIP side to send BYE. */
  hangUp: () => void;
}>;

export type CallerRecord = {
  utterances: CallerUtterance[];
  digits: { digit: string; atMs: number }[];
  /** The caller asked for the BYE itself (no REFER after its last utterance). */
  hungUp: boolean;
  /** What the caller noticed, in order ("no reply to utterance 1", ...). */
  notes: string[];
};

/**
 * Runs the script on the line; resolves when the caller is done talking (it
 * hung up or was referred), rejects when the call ends under it. `record` is
 * filled as it goes, so an early end keeps what was said.
 *
 * @example
 * const record = newCallerRecord();
 * await converse(line, rendered, clips, DEFAULT_BEHAVIOUR, seededRandom(1), record);
 */
export async function converse(
  line: CallerLine,
  script: RenderedScript,
  clips: ReadonlyMap<string, Uint8Array>,
  behaviour: CallerBehaviour,
  random: () => number,
  record: CallerRecord,
): Promise<void> {
  const b = behaviour;
  const uniform = ([min, max]: readonly [number, number]) => min + (max - min) * random();

  /** Waits for the agent's turn that starts at or after `sinceMs` to end; false when none started. */
  const agentTurnEnded = async (sinceMs: number, giveUpMs: number): Promise<boolean> => {
    const started = await line.until(() => line.agent.onsetSince(sinceMs) !== undefined, giveUpMs);
    if (!started) return false;
    const ended = await line.until(
      () => line.agent.silentFor(line.now()) >= b.agentSilenceMs,
      b.turnMaxMs,
    );
    if (!ended) record.notes.push(`agent still talking after ${b.turnMaxMs} ms`);
    return true;
  };

  const answeredMs = line.now();
  let agentTurnSince = answeredMs;
  for (const [i, utterance] of script.utterances.entries()) {
    let bargeIn = false;
    if (utterance.bargeIn) {
      const giveUp = i === 0 ? b.greetingGiveUpMs : b.replyGiveUpMs;
      if (await line.until(() => line.agent.onsetSince(agentTurnSince) !== undefined, giveUp)) {
        const onset = line.agent.onsetSince(agentTurnSince) ?? line.now();
        await line.sleep(Math.max(0, onset + b.bargeInDelayMs - line.now()));
        bargeIn = line.agent.speaking(line.now(), b.bargeInHangoverMs);
        if (!bargeIn) record.notes.push(`agent done before the barge-in of utterance ${i}`);
      } else {
        record.notes.push(`nothing to barge in on before utterance ${i}`);
      }
    } else {
      const giveUp = i === 0 ? b.greetingGiveUpMs : b.replyGiveUpMs;
      if (!(await agentTurnEnded(agentTurnSince, giveUp))) {
        record.notes.push(i === 0 ? 'no greeting heard' : `no reply to utterance ${i - 1}`);
      }
      await line.sleep(uniform(b.pauseMs));
    }
    if (script.digit && script.digit.afterUtterance === i - 1) {
      record.digits.push({ digit: script.digit.key, atMs: await line.press(script.digit.key) });
      await line.sleep(uniform(b.pauseMs));
    }
    const parts: SpokenPart[] = [];
    for (const [j, part] of utterance.parts.entries()) {
      if (j > 0) await line.sleep(uniform(b.midSentencePauseMs));
      const clip = clips.get(part.file);
      if (!clip) throw new Error(`no clip loaded for ${part.file}`);
      parts.push(await line.speak(clip));
    }
    record.utterances.push({ index: i, text: utterance.text, parts, bargeIn });
    agentTurnSince = line.now();
  }
  // The agent answers the request for a person, then transfers: the wait for the REFER starts once it is done talking.
  const answering = await line.until(
    () => line.referred() || line.agent.onsetSince(agentTurnSince) !== undefined,
    b.replyGiveUpMs,
  );
  if (answering && !line.referred()) {
    await line.until(
      () => line.referred() || line.agent.silentFor(line.now()) >= b.agentSilenceMs,
      b.turnMaxMs,
    );
  }
  if (!(await line.until(line.referred, b.referWaitMs))) {
    record.notes.push(`no REFER within ${b.referWaitMs} ms of the answer to the last utterance`);
    record.hungUp = true;
    line.hangUp();
  }
}

/** An empty record for {@link converse} to fill. */
export function newCallerRecord(): CallerRecord {
  return { utterances: [], digits: [], hungUp: false, notes: [] };
}
