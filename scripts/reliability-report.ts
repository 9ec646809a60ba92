/**
 * Prints the reliability table the boundary and fault tests measured in this
 * run (.run/reliability.jsonl, written by test/harness/reliability.ts), as
 * the Markdown docs/reliability.md keeps. Prints nothing when no row exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RELIABILITY_ROWS, type ReliabilityRow } from '../test/harness/reliability.ts';

if (existsSync(RELIABILITY_ROWS)) {
  const rows = readFileSync(RELIABILITY_ROWS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReliabilityRow);
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| fault or input | what the caller got | time to recover | calls lost | records lost |',
    '| --- | --- | --- | --- | --- |',
    ...rows
      .map((r) =>
        [
          cell(r.case),
          cell(r.cannot ? `${r.caller} (cannot: ${r.cannot})` : r.caller),
          r.recoverMs === undefined ? '-' : `${(r.recoverMs / 1000).toFixed(1)} s`,
          String(r.callsLost),
          r.recordsLost === undefined ? 'no call' : String(r.recordsLost),
        ].join(' | '),
      )
      .map((l) => `| ${l} |`),
  ];
  console.log(`\nreliability (${new Date().toISOString().slice(0, 10)}, ${rows.length} rows):\n`);
  console.log(lines.join('\n'));
}
