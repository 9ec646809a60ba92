/**
 * Port layout of one local stack. Slot 0 is the default developer stack
 * (standard ports); slots 1-9 are disjoint layouts so tests and a running
 * `make up` never collide.
 */
export type StackPorts = Readonly<{
  redis: number;
  livekitHttp: number;
  livekitRtcTcp: number;
  livekitRtcUdp: readonly [number, number];
  sip: number;
  sipRtp: readonly [number, number];
  sipHealth: number;
  dispatch: number;
  agentHealth: number;
  /** The worker's Prometheus `/metrics`. */
  agentMetrics: number;
  /** Where the simulated Genesys side (sipp) listens for SIP and RTP. */
  genesysSip: number;
  genesysMedia: number;
  /** Where the simulated Genesys human agent (sipp UAS) answers warm-transfer calls. */
  humanSip: number;
  humanMedia: number;
}>;

export function stackPorts(slot: number): StackPorts {
  if (!Number.isInteger(slot) || slot < 0 || slot > 9)
    throw new Error(`stack slot must be 0-9, got ${slot}`);
  if (slot === 0) {
    return Object.freeze({
      redis: 6379,
      livekitHttp: 7880,
      livekitRtcTcp: 7881,
      livekitRtcUdp: [50000, 50999] as const,
      sip: 5060,
      sipRtp: [10000, 10999] as const,
      sipHealth: 8090,
      dispatch: 8080,
      agentHealth: 8081,
      agentMetrics: 9464,
      genesysSip: 5070,
      genesysMedia: 16000,
      humanSip: 5071,
      humanMedia: 16100,
    });
  }
  const base = 20000 + slot * 1000;
  return Object.freeze({
    redis: base + 379,
    livekitHttp: base + 880,
    livekitRtcTcp: base + 881,
    livekitRtcUdp: [40000 + slot * 1000, 40000 + slot * 1000 + 499] as const,
    sip: base + 60,
    sipRtp: [40500 + slot * 1000, 40500 + slot * 1000 + 499] as const,
    sipHealth: base + 90,
    dispatch: base + 80,
    agentHealth: base + 81,
    agentMetrics: base + 464,
    genesysSip: base + 70,
    genesysMedia: base + 600,
    humanSip: base + 71,
    humanMedia: base + 700,
  });
}
