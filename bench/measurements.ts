/**
 * What the benchmark measures, per call and per run: the shared leaf types
 * between the load generator (bench/load), the wire analysis (bench/wire),
 * the resource sampler (bench/resources) and the report (bench/report).
 * Every time is in milliseconds; every wall-clock instant is epoch ms.
 */

/** How a call ended, as the Genesys side saw it. */
export type CallOutcome =
  /** The agent REFERred the call and it was released. */
  | 'transferred'
  /** The caller finished the script and hung up. */
  | 'completed'
  /** The caller gave up ringing (no 200 OK within the ring timeout) and sent CANCEL. */
  | 'abandoned'
  /** Refused with a SIP status (4xx-6xx) before an answer. */
  | 'refused'
  /**
   * No agent took it: dispatch answered and REFERred the caller to the route's
   * human queue with reason `no_agent` (the trunk's `whenNoAgent: queue`).
   */
  | 'handed_on'
  /** Answered, but the call broke: no agent audio, BYE before the script ended, or sipp failed. */
  | 'lost';

/** One agent reply measured on the wire. */
export type TurnMeasurement = Readonly<{
  /** Index of the caller utterance in the script (0-based). */
  utterance: number;
  /** End of the caller's speech (last voiced frame of the utterance) to the onset of the agent's speech. */
  latencyMs: number;
}>;

export type BargeInMeasurement = Readonly<{
  /** Caller speech onset (while the agent spoke) to the agent's audio stopping. */
  stopMs: number;
  /**
   * False when the agent spoke on past the end of the caller's utterance: stopMs is then the
   * utterance's whole length (a lower bound).
   */
  stopped?: boolean;
  /** When not stopped: how long the agent's speech went on past the end of the caller's utterance. */
  overrunMs?: number;
}>;

/** One simulated Genesys call, measured from captured SIP and RTP. */
export type CallMeasurement = Readonly<{
  id: string;
  /** Call-ID of the INVITE. */
  sipCallId: string;
  /** Planned arrival offset from the start of the run. */
  arrivalMs: number;
  outcome: CallOutcome;
  /** SIP status of the final response to the INVITE (200, 486, 487 after CANCEL…), if any. */
  finalStatus: number | undefined;
  /** INVITE sent to 200 OK received; undefined when never answered. */
  answerMs: number | undefined;
  /** INVITE sent to the end of ringing: the answer, the refusal or the caller's CANCEL. */
  ringMs: number | undefined;
  /** 200 OK to the onset of the agent's first speech (the greeting). */
  greetingOnsetMs: number | undefined;
  turns: readonly TurnMeasurement[];
  /** Caller utterances whose reply was not heard before the next utterance (or hang-up). */
  unansweredTurns: number;
  /** Mid-sentence pauses the caller made, and how many of them the agent started speaking in. */
  midSentencePauses: number;
  prematureReplies: number;
  bargeIns: readonly BargeInMeasurement[];
  /** Gaps over 100 ms in the agent's RTP stream while it spoke (sequence or arrival gaps). */
  audioGaps: number;
  /** Longest such gap. */
  longestGapMs: number;
  /** Whether a REFER arrived, and its X-AI-Transfer-Reason / target when it did. */
  referTarget: string | undefined;
  /** What the wire analysis could not measure as planned for this call (missing audio, a barge-in that did not overlap). */
  warnings?: readonly string[];
}>;

/** CPU and memory of one group of processes over the measured window. */
export type ProcessGroupUsage = Readonly<{
  /** CPU seconds used in the window, summed over the group's processes. */
  cpuSeconds: number;
  /** Peak of the summed proportional set size (PSS). */
  peakPssMb: number;
  /** Processes seen in the group at any time. */
  processes: number;
}>;

/** Resources of one run, from /proc. */
export type ResourceUsage = Readonly<{
  windowSeconds: number;
  /** The agent worker's main process. */
  worker: ProcessGroupUsage;
  /** Job processes (one per call, plus warm idle ones) and their children (recognizers, TTS). */
  jobs: ProcessGroupUsage;
  /** Inference or other helper processes of the worker that are not job processes. */
  inference: ProcessGroupUsage;
  livekitSip: ProcessGroupUsage;
  livekitServer: ProcessGroupUsage;
  /** CPU seconds a fresh job process used from its start until it was idle and ready (each process). */
  jobStartCpuSeconds: readonly number[];
  /** Talking calls integrated over the window (call-seconds), for CPU per talking call. */
  talkingCallSeconds: number;
  /** CPU seconds the sampler itself spent reading /proc (its thread only). */
  samplerCpuSeconds?: number;
}>;
