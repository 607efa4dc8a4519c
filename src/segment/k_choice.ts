/**
 * The number of segments in use and the recommended one, said once and the same way everywhere (the k-selection
 * figure, notebook 04's findings): asking for another k than the sweep recommends must not read as if the
 * recommendation had been followed.
 */

/** The sweep's recommendation: a k and the reason, one sentence that usually names its k ("k = 6 is next to …"). */
export interface KRecommendation {
  readonly k: number;
  readonly reason?: string;
}

/**
 * One sentence: the k in use, whether it is the recommended one, and the recommendation's reason. Markdown bolds
 * the numbers; text is plain (a figure subtitle).
 * @example kChoice(5, { k: 6, reason: 'k = 6 is next to the elbow.' }) // '**k = 5**, as requested; the sweep recommends **k = 6**: k = 6 is next to the elbow.'
 */
export function kChoice(inUse: number, recommended: KRecommendation, format: 'markdown' | 'text' = 'markdown'): string {
  const reason = recommended.reason?.trim() ?? '';
  const then = reason ? `: ${reason}` : '';
  if (format === 'text') {
    if (inUse === recommended.k) return `k = ${inUse} in use, as recommended${then}`;
    // Reasons usually name their k already ("k = 6 is next to the elbow…"): do not say it twice.
    const named = reason.includes(`k = ${recommended.k}`);
    return `k = ${inUse} in use, as requested. Recommended${named ? then : ` k = ${recommended.k}${then}`}`;
  }
  if (inUse === recommended.k) return `**k = ${inUse}**, the recommended number of segments${then}`;
  return `**k = ${inUse}**, as requested; the sweep recommends **k = ${recommended.k}**${then}`;
}
