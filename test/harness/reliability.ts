/**
 * The reliability table (issue: faults and hostile input on the real stack):
 * each boundary or fault test adds the row it measured, and `make test`
 * prints the table after the suite (scripts/reliability-report.ts). A row
 * says what the caller got, judged from the wire, and what was lost.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './tools.ts';

export const RELIABILITY_ROWS = join(REPO_ROOT, '.run/reliability.jsonl');

export type ReliabilityRow = Readonly<{
  /** The fault or the input. */
  case: string;
  /** What the caller got, from the wire (statuses, answer, transfer). */
  caller: string;
  /** Until new calls work again; undefined where nothing had to recover. */
  recoverMs?: number | undefined;
  callsLost: number;
  /** Undefined where no call (and so no record) came into being. */
  recordsLost?: number | undefined;
  /** What the product cannot do about it, and why, when it cannot. */
  cannot?: string;
}>;

/**
 * @example
 * reliabilityRow({ case: 'INVITE without SDP', caller: '400 in 12 ms', callsLost: 0 });
 */
export function reliabilityRow(row: ReliabilityRow): void {
  mkdirSync(dirname(RELIABILITY_ROWS), { recursive: true });
  appendFileSync(RELIABILITY_ROWS, `${JSON.stringify(row)}\n`);
}
