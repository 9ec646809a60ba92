/**
 * The report as text: one table per voice mode (a row per system and load)
 * and the ours/peer ratios. What `make bench` prints before the report's path.
 */
import type { Comparison, Machine, ReportPoint } from './document.ts';

const COLUMNS: readonly Readonly<{ title: string; cell: (p: ReportPoint) => string }>[] = [
  { title: 'system', cell: (p) => p.system },
  { title: 'load', cell: (p) => p.label },
  { title: 'answered', cell: (p) => `${p.figures.answered}/${p.figures.offered}` },
  { title: 'refused', cell: (p) => String(p.figures.refused) },
  { title: 'handed on', cell: (p) => String(p.figures.handedOn) },
  { title: 'lost', cell: (p) => String(p.figures.lost + p.figures.abandoned) },
  { title: 'answer p50', cell: (p) => seconds(p.figures.answerP50Ms) },
  { title: 'answer p95', cell: (p) => seconds(p.figures.answerP95Ms) },
  { title: 'ring max', cell: (p) => seconds(p.figures.ringMaxMs) },
  { title: 'greet p50', cell: (p) => seconds(p.figures.greetingP50Ms) },
  { title: 'turn p50', cell: (p) => ms(p.figures.turnP50Ms) },
  { title: 'turn p95', cell: (p) => ms(p.figures.turnP95Ms) },
  { title: 'turns', cell: (p) => `${p.figures.turns}` },
  { title: 'premature', cell: (p) => percent(p.figures.prematureRate) },
  { title: 'barge-in stop', cell: (p) => ms(p.figures.bargeInStopP50Ms) },
  { title: 'gaps>100ms', cell: (p) => `${p.figures.audioGaps}` },
  { title: 'CPU/call', cell: (p) => percent(p.figures.cpuPerCallCores) },
  { title: 'PSS/call', cell: (p) => mb(p.figures.pssPerCallMb) },
  { title: 'job start CPU', cell: (p) => secondsRaw(p.figures.jobStartCpuP50Seconds) },
  { title: 'sip CPU', cell: (p) => percent(p.figures.livekitSipCores) },
  { title: 'server CPU', cell: (p) => percent(p.figures.livekitServerCores) },
];

/**
 * @example
 * console.log(renderTables(report.points, report.comparisons, report.machine, report.createdAt));
 */
export function renderTables(
  points: readonly ReportPoint[],
  comparisons: readonly Comparison[],
  machine: Machine,
  createdAt: string,
): string {
  const out: string[] = [
    `Wire benchmark, ${createdAt.slice(0, 10)}: ${machine.cores} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.kernel}`,
    'Times from the wire (SIP and RTP captured at the Genesys side); CPU in % of one core per talking call; medians over repetitions.',
  ];
  for (const voice of [...new Set(points.map((p) => p.voice))]) {
    out.push('', `== voice: ${voice}`);
    out.push(
      renderGrid(
        COLUMNS.map((c) => c.title),
        points.filter((p) => p.voice === voice).map((p) => COLUMNS.map((c) => c.cell(p))),
      ),
    );
  }
  if (comparisons.length > 0) {
    out.push('', '== ours / peer (below 1.00: ours is faster or cheaper)');
    const metrics = [...new Set(comparisons.map((c) => c.metric))];
    const rows = [...new Set(comparisons.map((c) => `${c.voice}|${c.label}`))].map((key) => {
      const [voice = '', label = ''] = key.split('|');
      return [
        voice,
        label,
        ...metrics.map((m) => {
          const c = comparisons.find(
            (x) => x.voice === voice && x.label === label && x.metric === m,
          );
          return c?.ratio === undefined ? '-' : c.ratio.toFixed(2);
        }),
      ];
    });
    out.push(renderGrid(['voice', 'load', ...metrics], rows));
  }
  return out.join('\n');
}

/** Left-aligned first two columns, right-aligned figures. */
export function renderGrid(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${Math.round(v)} ms`;
}
function seconds(v: number | undefined): string {
  return v === undefined ? '-' : `${(v / 1000).toFixed(2)} s`;
}
function secondsRaw(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(2)} s`;
}
function percent(v: number | undefined): string {
  return v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
}
function mb(v: number | undefined): string {
  return v === undefined ? '-' : `${Math.round(v)} MB`;
}
