/**
 * What one `make bench` run measures: which systems, in which voice modes,
 * under which arrival patterns. The quick profile answers the issue's
 * question in about a quarter of an hour on 2 cores; the full sweep repeats
 * every point (medians of several runs) and adds a steady Poisson load and
 * the typical-provider latencies.
 */
import { availableParallelism } from 'node:os';
import { defaultMaxCalls } from '../agent/src/capacity.ts';

/** The worker under test. */
export type SystemName =
  /** Our worker as shipped (its telephony tuning). */
  | 'ours'
  /** Our worker with the framework's own turn-taking defaults, to show what tuning buys. */
  | 'ours-defaults'
  /**
   * Our worker with its admission as shipped: the calls it takes by default on
   * this machine and the product's ring timeout, offered twice that many callers.
   */
  | 'ours-admission'
  /**
   * The same, on a trunk set to hand a caller no agent takes to the route's
   * human queue (`whenNoAgent: queue`) instead of refusing it.
   */
  | 'ours-admission-queue'
  /** LiveKit Agents for Python, written the way LiveKit's telephony docs show. */
  | 'peer';

/**
 * The voice the calls run on: the offline voice as shipped (ours only: the
 * peer has none), the real cloud plugins against stand-ins with no added
 * latency (our own overhead) or a typical provider's latencies, or (ours
 * only) the persona on the OpenAI Realtime plugin against the zero-latency
 * Realtime stand-in, the STT stand-in beside it.
 */
export const VOICE_NAMES = ['offline', 'cloud-zero', 'cloud-typical', 'realtime-zero'] as const;
export type VoiceName = (typeof VOICE_NAMES)[number];

export type ArrivalPattern =
  | Readonly<{ kind: 'burst'; callers: number; perSecond: number }>
  | Readonly<{ kind: 'poisson'; perSecond: number; durationSeconds: number; seed: number }>;

/** One system in one voice mode, started once and offered each load in turn. */
export type PlanGroup = Readonly<{
  system: SystemName;
  voice: VoiceName;
  loads: readonly ArrivalPattern[];
}>;

export type Plan = Readonly<{
  name: 'quick' | 'full' | 'smoke';
  repetitions: number;
  groups: readonly PlanGroup[];
}>;

const BURST_RATE = 2;
const burst = (callers: number): ArrivalPattern => ({
  kind: 'burst',
  callers,
  perSecond: BURST_RATE,
});

/**
 * CPUs the admission rows give the worker on its own (the stack and callers
 * on the others), like the chart's 1-CPU worker pod; none on a 1-core machine.
 */
export const ADMISSION_WORKER_CPUS = 1;

/** The calls the admission rows' worker takes: its default on its CPUs. */
export function admissionCalls(): number {
  return defaultMaxCalls(availableParallelism() > 1 ? ADMISSION_WORKER_CPUS : 1);
}

/** Twice the calls the admission rows' worker takes by default: their burst. */
export function admissionBurst(): ArrivalPattern {
  return burst(2 * admissionCalls());
}

/** The concurrency points the issue asks for: a single call, then 4, 8, 12 and 25 callers. */
export const CONCURRENCY = [1, 4, 8, 12, 25] as const;

/**
 * At most 15 minutes on 2 cores: every concurrency point for our worker and
 * the peer on the zero-latency stand-ins and for our offline voice, and the
 * framework defaults at one and four callers, the shipped admission
 * offered twice its capacity (refusing, and handing on to the queue), and
 * the realtime voice at one and four callers.
 *
 * @example
 * quickPlan().groups.map((g) => `${g.system}/${g.voice}`); // ['ours/cloud-zero', 'peer/cloud-zero', …]
 */
export function quickPlan(): Plan {
  const all = CONCURRENCY.map(burst);
  return {
    name: 'quick',
    repetitions: 1,
    groups: [
      { system: 'ours', voice: 'cloud-zero', loads: all },
      { system: 'peer', voice: 'cloud-zero', loads: all },
      { system: 'ours-defaults', voice: 'cloud-zero', loads: [burst(1), burst(4)] },
      { system: 'ours-admission', voice: 'cloud-zero', loads: [admissionBurst()] },
      { system: 'ours-admission-queue', voice: 'cloud-zero', loads: [admissionBurst()] },
      { system: 'ours', voice: 'offline', loads: all },
      { system: 'ours', voice: 'realtime-zero', loads: [burst(1), burst(4)] },
    ],
  };
}

/**
 * Every system at every point, three times (medians reported), both
 * provider profiles, and a steady Poisson load of 0.2 calls/s for 3 minutes
 * (about 9 concurrent callers at the script's ~45 s holding time).
 *
 * @example
 * fullPlan().repetitions; // 3
 */
export function fullPlan(): Plan {
  const loads = [
    ...CONCURRENCY.map(burst),
    { kind: 'poisson', perSecond: 0.2, durationSeconds: 180, seed: 7 } as const,
  ];
  const groups: PlanGroup[] = [];
  for (const voice of ['cloud-zero', 'cloud-typical'] as const)
    for (const system of ['ours', 'ours-defaults', 'peer'] as const)
      groups.push({ system, voice, loads });
  for (const system of ['ours-admission', 'ours-admission-queue'] as const)
    groups.push({ system, voice: 'cloud-zero', loads: [admissionBurst()] });
  groups.push({ system: 'ours', voice: 'offline', loads });
  groups.push({ system: 'ours-defaults', voice: 'offline', loads });
  groups.push({ system: 'ours', voice: 'realtime-zero', loads });
  return { name: 'full', repetitions: 3, groups };
}

/**
 * One call per system, for the test suite: proves the harness works end to
 * end (no timing is judged there).
 *
 * @example
 * smokePlan().groups.length; // 2
 */
export function smokePlan(): Plan {
  return {
    name: 'smoke',
    repetitions: 1,
    groups: [
      { system: 'ours', voice: 'cloud-zero', loads: [burst(1)] },
      { system: 'peer', voice: 'cloud-zero', loads: [burst(1)] },
    ],
  };
}

/** Callers offered by a pattern (expected, for Poisson). */
export function offeredCallers(p: ArrivalPattern): number {
  return p.kind === 'burst' ? p.callers : Math.round(p.perSecond * p.durationSeconds);
}

/** A short label: `burst 12 @2/s`, `poisson 0.2/s 180 s`. */
export function patternLabel(p: ArrivalPattern): string {
  return p.kind === 'burst'
    ? `burst ${p.callers} @${p.perSecond}/s`
    : `poisson ${p.perSecond}/s ${p.durationSeconds} s`;
}

/**
 * A plan cut down to some groups and caller counts, for measuring one change
 * quickly: `groups` as `system/voice` names, `callers` as burst sizes. A
 * group that sweeps concurrency (several bursts) is offered exactly those
 * sizes, in the plan or not; a group with one fixed burst (the admission
 * rows) is kept only when its size is listed. An empty filter keeps
 * everything.
 *
 * @throws when a filter names nothing in the plan.
 * @example
 * narrowPlan(quickPlan(), { groups: ['ours/cloud-zero'], callers: [4] }).groups.length; // 1
 */
export function narrowPlan(
  plan: Plan,
  filter: Readonly<{ groups?: readonly string[]; callers?: readonly number[] }>,
): Plan {
  const groups = plan.groups
    .filter((g) => !filter.groups?.length || filter.groups.includes(`${g.system}/${g.voice}`))
    .map((g) => {
      const sizes = filter.callers;
      if (!sizes?.length) return g;
      const bursts = g.loads.filter((l) => l.kind === 'burst');
      if (bursts.length > 1) return { ...g, loads: sizes.map(burst) };
      return { ...g, loads: bursts.filter((l) => sizes.includes(l.callers)) };
    })
    .filter((g) => g.loads.length > 0);
  if (groups.length === 0)
    throw new Error(
      `nothing in the ${plan.name} plan matches groups [${filter.groups?.join(', ') ?? ''}] and callers [${filter.callers?.join(', ') ?? ''}]`,
    );
  return { ...plan, groups };
}
