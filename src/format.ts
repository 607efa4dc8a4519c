/** Number formatting for the insights text: one place, so the report, names and actions agree. */

/** `12.3%` for a share in [0, 1]. */
export function pct(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(100 * share).toFixed(digits)}%` : 'n/a';
}

/** `INR 12,345` (whole rupees; `INR 1.2` below 10). */
export function inr(amount: number): string {
  if (!Number.isFinite(amount)) return 'n/a';
  return `INR ${amount < 10 ? amount.toFixed(1) : Math.round(amount).toLocaleString('en-US')}`;
}

/** `12,345` for counts. */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** A plain number with a fixed number of decimals, `n/a` when not finite. */
export function num(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** `+0.84` / `−1.20` for a standardized difference. */
export function signed(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}
