/**
 * The wire benchmark's harness kept working (issue 12): one call through the
 * whole stack for our worker and for the LiveKit Agents for Python peer, on
 * the cloud-shaped voice (the FAKE Deepgram, OpenAI and ElevenLabs in
 * test/fakes/), measured from the wire like `make bench` does. No timing is
 * judged here: figures live in the benchmark's report.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokePlan } from '../bench/plan.ts';
import { buildReport, writeReport } from '../bench/report/build.ts';
import { reportHeader, type RunRecord } from '../bench/report/document.ts';
import { renderTables } from '../bench/report/table.ts';
import { runGroup } from '../bench/run-group.ts';
import { REPO_ROOT } from './harness/tools.ts';

describe('wire benchmark smoke (one call per system)', () => {
  const plan = smokePlan();
  const outDir = mkdtempSync(join(REPO_ROOT, '.run', 'bench-smoke-'));
  const runs: RunRecord[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    for (const group of plan.groups) {
      runs.push(
        ...(await runGroup(group, {
          slot: 2,
          repetitions: 1,
          outDir,
          ringTimeoutSeconds: 30,
          log: () => undefined,
        })),
      );
    }
  }, 360_000);

  afterAll(() => undefined);

  for (const system of ['ours', 'peer'] as const) {
    it(`measures a whole ${system} call from the wire`, () => {
      const run = runs.find((r) => r.system === system);
      expect(run, `${system} ran`).toBeDefined();
      const [call] = run?.calls ?? [];
      expect(run?.calls).toHaveLength(1);
      expect(call?.outcome).toMatch(/^(transferred|completed)$/);
      expect(call?.answerMs).toBeGreaterThan(0);
      expect(call?.greetingOnsetMs).toBeGreaterThan(0);
      // The caller's script has several utterances; the agent answered at least one.
      expect(call?.turns.length).toBeGreaterThan(0);
      expect(call?.midSentencePauses).toBeGreaterThan(0);
      expect(run?.resources.jobs.processes).toBeGreaterThan(0);
      expect(run?.resources.jobs.cpuSeconds).toBeGreaterThan(0);
      expect(run?.resources.livekitSip.cpuSeconds).toBeGreaterThan(0);
      expect(run?.resources.talkingCallSeconds).toBeGreaterThan(0);
    });
  }

  it('writes a report that follows its schema, with a ratio for each compared figure, and a chart', () => {
    const report = buildReport({ plan, runs, startedAt, settings: { smoke: true } });
    const { reportFile, chartFile } = writeReport(report, outDir);
    const parsed = reportHeader.parse(JSON.parse(readFileSync(reportFile, 'utf8')));
    expect(parsed.points.map((p) => p.system).sort()).toEqual(['ours', 'peer']);
    const turn = parsed.comparisons.find((c) => c.metric === 'turnP50Ms');
    expect(turn?.ratio).toBeGreaterThan(0);
    expect(existsSync(chartFile)).toBe(true);
    expect(readFileSync(chartFile).subarray(1, 4).toString('latin1')).toBe('PNG');
    const text = renderTables(parsed.points, parsed.comparisons, parsed.machine, parsed.createdAt);
    expect(text).toContain('ours / peer');
  });
});
