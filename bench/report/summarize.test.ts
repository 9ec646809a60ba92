import { describe, expect, it } from 'vitest';
import type { CallMeasurement, ProcessGroupUsage, ResourceUsage } from '../measurements.ts';
import { summarizeRun } from './summarize.ts';

const group: ProcessGroupUsage = { cpuSeconds: 1, peakPssMb: 100, processes: 1 };
const resources: ResourceUsage = {
  windowSeconds: 60,
  worker: group,
  jobs: group,
  inference: group,
  livekitSip: group,
  livekitServer: group,
  jobStartCpuSeconds: [],
  talkingCallSeconds: 30,
};
const call = (id: string, m: Partial<CallMeasurement>): CallMeasurement => ({
  id,
  sipCallId: `${id}@x`,
  arrivalMs: 0,
  outcome: 'transferred',
  finalStatus: 200,
  answerMs: 500,
  ringMs: 500,
  greetingOnsetMs: 300,
  turns: [],
  unansweredTurns: 0,
  midSentencePauses: 0,
  prematureReplies: 0,
  bargeIns: [],
  audioGaps: 0,
  longestGapMs: 0,
  referTarget: undefined,
  ...m,
});

describe('a run summary', () => {
  it('counts a handed-on call apart: rung for, but not answered by an agent', () => {
    const s = summarizeRun(
      [
        call('a', { answerMs: 400, ringMs: 400 }),
        call('b', { answerMs: 600, ringMs: 600 }),
        call('c', {
          outcome: 'handed_on',
          answerMs: 2300,
          ringMs: 2300,
          greetingOnsetMs: undefined,
        }),
        call('d', { outcome: 'refused', finalStatus: 486, answerMs: undefined, ringMs: 3000 }),
      ],
      resources,
      { offered: 4, peakTalkingCalls: 3 },
    );
    expect(s).toMatchObject({ answered: 2, handedOn: 1, refused: 1, transferred: 2, lost: 0 });
    expect(s.answerMs.max).toBe(600);
    expect(s.ringMs.max).toBe(3000);
    // Three callers talked at once by the load's count, but only two had an agent.
    expect(s.pssPerCallMb).toBe(50);
  });
});
