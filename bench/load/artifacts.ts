/**
 * What a load run leaves behind for the wire analysis: one capture of every
 * SIP and RTP packet the simulated Genesys side exchanged, and per call the
 * ports it used and the caller's own account of what it said and when (the
 * script's ground truth: which speech is one utterance, where the caller
 * paused mid-sentence, when it talked over the agent, which digits it sent).
 */

/** A stretch of caller speech as sent: one part of an utterance (split at mid-sentence pauses). */
export type SpokenPart = Readonly<{
  /** Epoch ms of the first and last RTP packet of this part's audio. */
  startMs: number;
  endMs: number;
}>;

export type CallerUtterance = Readonly<{
  /** Index in the script (0-based). */
  index: number;
  text: string;
  /** Two or more parts when the caller paused mid-sentence between them. */
  parts: readonly SpokenPart[];
  /** True when the caller started this utterance while the agent was speaking (deliberate barge-in). */
  bargeIn: boolean;
}>;

export type CallerLog = Readonly<{
  id: string;
  /** Planned arrival offset from the start of the run. */
  arrivalMs: number;
  /** Where sipp signalled from, and where the caller's RTP was sent from and received on. */
  sipPort: number;
  mediaPort: number;
  /** Epoch ms the INVITE was sent (as the caller process saw it; the wire time is in the capture). */
  invitedAtMs: number;
  utterances: readonly CallerUtterance[];
  /** RFC 2833 digits sent, with the epoch ms of each event's first packet. */
  digits: readonly Readonly<{ digit: string; atMs: number }>[];
  /** How the caller side ended: it hung up, took a REFER, gave up ringing, or failed. */
  end: 'hangup' | 'refer' | 'cancel' | 'refused' | 'error';
  /** sipp's exit code and its scenario failures (empty when the scenario ran as written). */
  sippExitCode: number;
  failures: readonly string[];
  /** Optional, added by the load generator: Call-ID of the INVITE and the x-inin-cnv it carried. */
  sipCallId?: string;
  conversationId?: string;
  /** Epoch ms the caller's media side saw the answer (sipp wrote the 200 OK's SDP). */
  answeredAtMs?: number;
  /** What the caller noticed while talking ("no reply to utterance 1", "no REFER within 10000 ms ..."). */
  notes?: readonly string[];
  /** The caller's own RTP health: a lagging sender would skew what the wire shows. */
  media?: Readonly<{
    packetsSent: number;
    packetsReceived: number;
    /** Worst lateness of a sent packet against its 20 ms slot. */
    maxSendLagMs: number;
    /** Slots never sent because the sender fell over 500 ms behind (the RTP timestamp jumps). */
    skippedPackets: number;
  }>;
}>;

export type LoadRunArtifacts = Readonly<{
  /** One pcap with every SIP and RTP packet on the callers' ports (tshark on loopback). */
  pcapFile: string;
  /** Epoch ms the run started (arrival offsets count from here). */
  startedAtMs: number;
  callers: readonly CallerLog[];
  /** Optional, added by the load generator: the script's name and the capture's filter and drops. */
  script?: string;
  /** Nice value of the caller media process (-10 where the generator may raise it, else 0). */
  mediaProcessNice?: number;
  capture?: Readonly<{ filter: string; droppedPackets?: number }>;
}>;
