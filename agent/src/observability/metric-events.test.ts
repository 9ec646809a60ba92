import { describe, expect, it } from 'vitest';
import { parseMetricEvent } from './metric-events.ts';

const event = (e: object) => JSON.stringify(e);

describe('parseMetricEvent', () => {
  it('accepts an observation and a count with exactly their labels', () => {
    expect(
      parseMetricEvent(
        event({
          kind: 'observe',
          metric: 'gva_turn_stage_seconds',
          labels: { persona: 'triage', stage: 'llm_ttft', provider: 'openai.LLM' },
          value: 0.42,
        }),
      ),
    ).toMatchObject({ kind: 'observe', value: 0.42 });
    expect(
      parseMetricEvent(
        event({
          kind: 'inc',
          metric: 'gva_calls_total',
          labels: { persona: 'triage', route: 'main' },
        }),
      ),
    ).toMatchObject({ kind: 'inc' });
  });

  it.each([
    ['not JSON', 'gva_calls_total'],
    ['an unknown metric', event({ kind: 'inc', metric: 'gva_other_total', labels: {} })],
    [
      'a missing label',
      event({ kind: 'inc', metric: 'gva_calls_total', labels: { persona: 'triage' } }),
    ],
    [
      'an extra label (an id would become a time series)',
      event({
        kind: 'inc',
        metric: 'gva_calls_total',
        labels: { persona: 'triage', route: 'main', conversation: 'abc' },
      }),
    ],
    [
      'a caller number as a label value',
      event({
        kind: 'inc',
        metric: 'gva_calls_total',
        labels: { persona: 'triage', route: '+1 555' },
      }),
    ],
    [
      'a negative latency',
      event({
        kind: 'observe',
        metric: 'gva_turn_latency_seconds',
        labels: { persona: 'p' },
        value: -1,
      }),
    ],
    [
      'an observation sent to a counter',
      event({ kind: 'observe', metric: 'gva_calls_total', labels: {}, value: 1 }),
    ],
  ])('refuses %s', (_, text) => {
    expect(parseMetricEvent(text)).toBeUndefined();
  });
});
