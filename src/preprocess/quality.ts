/**
 * The data-quality report as text: what cleaning dropped, changed or kept missing, how many and why.
 */
import { percentileLabel } from './clean';
import type { QualityReport } from '../table';
import { count, grouped } from '../format';
import { malformedLines } from '../collect/columns';


/**
 * A fixed-width text table of the report: the malformed rows the reader skipped (as `bankseg profile` lists them),
 * rows in and out, one line per entry (action, column, count, reason), then the outlier caps in INR. Every entry is
 * shown, including those with count 0. Cost: O(entries + malformed examples).
 * @example
 * formatQualityReport(report)
 * // Data quality
 * //   malformed rows skipped by the reader: 1 (not among the rows in)
 * //     line 103: column CustomerID: value "C1\"2": expected a customer ID (not empty)
 * //   rows in    20,000
 * //   rows out   20,000 (0 dropped)
 * //   action        column                      count  reason
 * //   dropped       TransactionAmount (INR)         0  negative amount (impossible): row dropped
 * //   ...
 */
export function formatQualityReport(r: QualityReport): string {
  const dropped = r.inputRows - r.outputRows;
  const header = ['action', 'column', 'count', 'reason'];
  const rows = r.entries.map((e) => [e.action, e.column, count(e.count), e.reason]);
  const width = (col: number) => Math.max(header[col].length, ...rows.map((row) => row[col].length));
  const widths = [width(0), width(1), width(2)];
  const line = (cells: string[]) =>
    `  ${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2].padStart(widths[2])}  ${cells[3]}`;

  const inWidth = Math.max(count(r.inputRows).length, count(r.outputRows).length);
  const skipped = r.malformed.count;
  const lines = [
    'Data quality',
    `  malformed rows skipped by the reader: ${count(skipped)}${skipped > 0 ? ' (not among the rows in)' : ''}`,
    ...malformedLines(r.malformed),
    `  rows in   ${count(r.inputRows).padStart(inWidth)}`,
    `  rows out  ${count(r.outputRows).padStart(inWidth)} (${count(dropped)} dropped)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w)).concat('-'.repeat('reason'.length))),
    ...rows.map(line),
    '',
    `  outlier caps (${capTitle(r.caps.quantile)}):`,
    `    TransactionAmount (INR)  ${formatCap(r.caps.amount)}`,
    `    CustAccountBalance       ${formatCap(r.caps.balance)}`,
  ];
  return lines.join('\n') + '\n';
}

function capTitle(q: number): string {
  return q >= 1 ? 'quantile 1: capping disabled' : `${percentileLabel(q)} percentile`;
}

function formatCap(cap: number): string {
  return Number.isNaN(cap) ? 'none (no values)' : `${grouped(cap, 2)} INR`;
}
