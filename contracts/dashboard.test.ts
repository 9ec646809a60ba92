/**
 * The Grafana dashboard the chart ships reads only the metrics both services
 * export (contracts/metrics.ts), and shows every one of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_METRICS, DISPATCH_METRICS } from './metrics.ts';

const DASHBOARD_PATH = join(
  import.meta.dirname,
  '../helm/genesys-voice-agents/dashboards/voice-agents.json',
);

/** The histograms: queried only as `_bucket`, `_sum` and `_count` series. */
const HISTOGRAMS: ReadonlySet<string> = new Set([
  AGENT_METRICS.turnStageSeconds,
  AGENT_METRICS.turnLatencySeconds,
  DISPATCH_METRICS.httpRequestSeconds,
]);
const ALL_METRICS: readonly string[] = [
  ...Object.values(AGENT_METRICS),
  ...Object.values(DISPATCH_METRICS),
];

/** Series name → the contract metric it belongs to. */
const SERIES = new Map<string, string>(
  ALL_METRICS.flatMap((name) =>
    HISTOGRAMS.has(name)
      ? ['_bucket', '_sum', '_count'].map((suffix) => [`${name}${suffix}`, name] as const)
      : [[name, name] as const],
  ),
);

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * Metric names an expression selects: identifiers left once strings, label
 * matchers, ranges and grouping label lists are removed, and that are not
 * function calls, keywords or numbers.
 *
 * @example
 * metricNames('sum by (le) (rate(a_bucket{x="y"}[5m]))'); // ['a_bucket']
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/(?<![\w.$:])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)) {
    const word = m[1] ?? '';
    if (!PROMQL_KEYWORDS.has(word.toLowerCase())) names.push(word);
  }
  return names;
}

type Target = { expr?: string; datasource?: { type?: string; uid?: string } };
type Panel = {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
};
type Variable = { name?: string; type?: string; query?: unknown; definition?: string };
type Dashboard = { uid?: string; panels?: Panel[]; templating?: { list?: Variable[] } };

const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title ?? '?', expr: t.expr ?? '' })),
);

describe('metricNames', () => {
  it('finds the series and skips functions, labels, ranges and keywords', () => {
    expect(
      metricNames(
        'histogram_quantile(0.9, sum by (le, stage) (rate(a_bucket{persona=~"$persona"}[$__rate_interval]))) / on (x) b_total > bool 0',
      ),
    ).toEqual(['a_bucket', 'b_total']);
    expect(metricNames('sum(increase(c{status=~"5.."}[$__range])) * 60')).toEqual(['c']);
  });
});

describe('Grafana dashboard voice-agents.json', () => {
  it('has a uid, panels with unique ids, and queries', () => {
    expect(dashboard.uid).toBe('gva-voice-agents');
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(exprs.length).toBeGreaterThan(0);
    for (const p of queryPanels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('takes its data source from the ${datasource} Prometheus variable', () => {
    const variables = dashboard.templating?.list ?? [];
    expect(variables.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${datasource}');
    }
  });

  it('has a persona variable from gva_calls_total', () => {
    const persona = dashboard.templating?.list?.find((v) => v.name === 'persona');
    expect(persona).toMatchObject({
      type: 'query',
      definition: `label_values(${AGENT_METRICS.callsTotal}, persona)`,
      query: `label_values(${AGENT_METRICS.callsTotal}, persona)`,
    });
  });

  it('queries only metric names from contracts/metrics.ts', () => {
    for (const { panel, expr } of exprs) {
      const names = metricNames(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(SERIES.has(name), `${panel}: unknown series ${name} in ${expr}`).toBe(true);
      }
    }
  });

  it('shows every agent and dispatch metric in at least one panel', () => {
    const shown = new Set(exprs.flatMap(({ expr }) => metricNames(expr).map((n) => SERIES.get(n))));
    expect(ALL_METRICS.filter((name) => !shown.has(name))).toEqual([]);
  });

  it('filters by persona wherever the metric has a persona label', () => {
    const withPersona = new Set<string>([
      AGENT_METRICS.turnStageSeconds,
      AGENT_METRICS.turnLatencySeconds,
      AGENT_METRICS.callsTotal,
      AGENT_METRICS.callOutcomesTotal,
      AGENT_METRICS.escalationsTotal,
      AGENT_METRICS.providerErrorsTotal,
    ]);
    for (const { panel, expr } of exprs) {
      for (const name of metricNames(expr)) {
        if (!withPersona.has(SERIES.get(name) ?? '')) continue;
        expect(expr, panel).toMatch(new RegExp(`${name}\\{[^}]*persona=~"\\$persona"`));
      }
    }
  });
});
