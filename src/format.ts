/**
 * Text for people, in one place so the report, the charts, the tables and the command lines agree: counts,
 * percentages, rupees, plain and signed numbers, and HTML-safe text. Non-finite numbers read `n/a`.
 * Digit grouping is en-US (`1,234,567`): en-IN would read `12,34,567`, and the chart ticks use en-US.
 */

/**
 * `12,345` for a count (rounded to a whole number).
 * @example count(1048567) // '1,048,567'
 */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/**
 * `a` or `an` before a whole number read aloud in English: `an` before 8, 11, 18, 80–89, 800–899, 8,000…, 11,000…
 * @example article(82) // 'an' (an 82-day window); article(28) // 'a'
 */
export function article(n: number): 'a' | 'an' {
  const digits = String(Math.abs(Math.round(n)));
  const group = digits.length % 3 || 3; // digits read before the first thousands separator
  if (digits.startsWith('8')) return 'an';
  return group === 2 && (digits.startsWith('11') || digits.startsWith('18')) ? 'an' : 'a';
}

/**
 * `12.3%` for a share in [0, 1].
 * @example pct(0.1234) // '12.3%'; pct(0.1234, 2) // '12.34%'
 */
export function pct(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(100 * share).toFixed(digits)}%` : 'n/a';
}

/**
 * `INR 12,345` (whole rupees; one decimal below 10), for sentences and tables.
 * @example inr(12345.6) // 'INR 12,346'; inr(2.5) // 'INR 2.5'
 */
export function inr(amount: number): string {
  if (!Number.isFinite(amount)) return 'n/a';
  return `INR ${amount < 10 ? amount.toFixed(1) : Math.round(amount).toLocaleString('en-US')}`;
}

/**
 * A compact amount for chart labels and ticks: 0.01, 950, 12.5k, 3.4M, 1.2B (three significant digits below 100).
 * @example inrCompact(12500) // '12.5k'; inrCompact(0.01) // '0.01'
 */
export function inrCompact(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${compact(x / 1e9)}B`;
  if (abs >= 1e6) return `${compact(x / 1e6)}M`;
  if (abs >= 1e3) return `${compact(x / 1e3)}k`;
  return compact(x);
}

function compact(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}

/**
 * A plain number with a fixed number of decimals.
 * @example num(0.24571) // '0.25'; num(0.24571, 3) // '0.246'
 */
export function num(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/**
 * A number with digit grouping and exactly `digits` decimals.
 * @example grouped(1234.5, 2) // '1,234.50'
 */
export function grouped(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

/**
 * `+0.84` / `−1.20` (a real minus sign) for a standardized difference.
 * @example signed(-1.2) // '−1.20'
 */
export function signed(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

/**
 * Text safe inside HTML elements and double-quoted attributes.
 * @example escapeHtml('<b> & "x"') // '&lt;b&gt; &amp; &quot;x&quot;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * JSON safe inside a <script> element: `<` escaped, so no `</script>` or `<!--` can appear (and the two JavaScript
 * line separators, which JSON allows in strings but older JavaScript did not).
 * @example scriptJson({ t: '</script>' }) // '{"t":"\\u003c/script>"}'
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
