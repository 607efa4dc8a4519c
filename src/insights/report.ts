/**
 * The business insights report (figures/insights.md and insights.html), written from a segmentation's results:
 * key findings with numbers, the segment table, recommended actions, how k was chosen, and caveats.
 * The content is built once as a list of blocks and rendered to both Markdown and HTML.
 */
import * as path from 'node:path';
import type { QualityReport } from '../table';
import { FEATURES, NUMERIC_FEATURES, featureWords } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { writeOutputs } from '../io/atomic';
import type { OutputSet } from '../io/atomic';
import type { ProfiledSegmentation, SegmentProfile } from './types';
import { count, escapeHtml, inr, num, pct, signed } from '../format';
import { valueIndex } from './actions';
import { STRONG } from './naming';

/** A block of the report. Inline text may use `**bold**`. */
export type Block =
  | { readonly kind: 'h1' | 'h2' | 'p'; readonly text: string }
  | { readonly kind: 'ul'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly align?: readonly ('l' | 'r')[] };

/** The two features that set a segment apart most, e.g. `balance +1.32, age −0.80` (standard deviations). */
function standsOut(s: SegmentProfile, top = 2): string {
  return Object.entries(s.lift)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => Math.abs(b[1] as number) - Math.abs(a[1] as number))
    .slice(0, top)
    .map(([f, v]) => `${featureWords(f)} ${signed(v as number)}`)
    .join(', ');
}

/** Share of customers with exactly one transaction, and the largest frequency. O(n). */
function frequencyFacts(features: CustomerFeatures): { single: number; max: number } {
  let single = 0;
  let max = 0;
  for (let i = 0; i < features.n; i++) {
    if (features.frequency[i] === 1) single++;
    if (features.frequency[i] > max) max = features.frequency[i];
  }
  return { single: features.n > 0 ? single / features.n : 0, max };
}

/** The inactive segment if one stands out by recency, otherwise how little recency differs between segments. */
function recencyFinding(segments: readonly SegmentProfile[]): string {
  const idle = [...segments].sort((a, b) => (b.lift.recencyDays ?? 0) - (a.lift.recencyDays ?? 0))[0];
  if ((idle.lift.recencyDays ?? 0) >= STRONG) {
    return `**${idle.name}** (segment ${idle.id}, ${pct(idle.share)} of customers) stand out by inactivity: their last transaction was a median **${num(idle.profile.recencyDays, 0)} days** before the end of the data; they hold ${pct(idle.balanceShare)} of balances and moved ${pct(idle.monetaryShare)} of the money.`;
  }
  const medians = segments.map((s) => s.profile.recencyDays);
  return `No segment is defined by inactivity: median recency ranges only from ${num(Math.min(...medians), 0)} to ${num(Math.max(...medians), 0)} days across segments.`;
}

/** How strong the cluster structure is, in words (Kaufman & Rousseeuw's reading of the mean silhouette). */
export function silhouetteWords(s: number): string {
  if (!Number.isFinite(s)) return 'not measured';
  if (s > 0.7) return 'strong structure';
  if (s > 0.5) return 'reasonable structure';
  if (s > 0.25) return 'weak structure: segments overlap';
  return 'no substantial structure: the segments cut a continuum';
}

/** The report's content. O(n) (a pass for the frequency facts) + O(k). */
export function insightsBlocks(seg: ProfiledSegmentation, quality: QualityReport, features: CustomerFeatures): Block[] {
  const segments = [...seg.segments];
  const byMoney = [...segments].sort((a, b) => b.monetaryShare - a.monetaryShare);
  const byBalance = [...segments].sort((a, b) => b.balanceShare - a.balanceShare);
  const freq = frequencyFacts(features);
  const topMoney = byMoney[0];
  const topBalance = byBalance[0];
  const frequent = [...segments].sort((a, b) => (b.lift.frequency ?? 0) - (a.lift.frequency ?? 0)).find((s) => (s.lift.frequency ?? 0) >= STRONG);
  const space = seg.space;

  const findings = [
    `**${count(features.n)} customers** (${count(quality.outputRows)} cleaned transactions) fall into **${seg.k} segments**; ${seg.recommendation.k === seg.k ? 'k was chosen automatically' : `k = ${seg.k} was requested (the sweep recommends ${seg.recommendation.k})`}: ${seg.recommendation.reason}`,
    `**${topMoney.name}** (segment ${topMoney.id}) are ${pct(topMoney.share)} of customers but move **${pct(topMoney.monetaryShare)} of all money** (${num(valueIndex(topMoney).money, 1)}× their weight; median ${inr(topMoney.profile.monetaryTotal)} per customer).`,
    topBalance.id === topMoney.id
      ? `The same segment also holds the most balances: ${pct(topBalance.balanceShare)} (median balance ${inr(topBalance.profile.balance)}).`
      : `**${topBalance.name}** (segment ${topBalance.id}) hold **${pct(topBalance.balanceShare)} of all balances** with ${pct(topBalance.share)} of customers (median balance ${inr(topBalance.profile.balance)}) while moving ${pct(topBalance.monetaryShare)} of the money.`,
    recencyFinding(segments),
    `${pct(freq.single)} of customers have a single transaction (maximum ${freq.max}), so frequency can only separate the ${pct(1 - freq.single)} who transacted again${frequent ? `: that is what sets **${frequent.name}** (segment ${frequent.id}) apart` : ''}.`,
    `Cluster quality: mean silhouette ${num(seg.silhouette)} (${silhouetteWords(seg.silhouette)}), Davies–Bouldin ${num(seg.daviesBouldin)}, Calinski–Harabasz ${count(seg.calinskiHarabasz)}.`,
  ];

  const segmentTable: Block = {
    kind: 'table',
    head: ['#', 'segment', 'customers', 'share', 'money', 'balances', ...NUMERIC_FEATURES.map((f) => FEATURES[f].column), 'stands out by (SD)'],
    align: ['r', 'l', 'r', 'r', 'r', 'r', ...NUMERIC_FEATURES.map((): 'r' => 'r'), 'l'],
    rows: segments.map((s) => [
      String(s.id),
      s.name,
      count(s.size),
      pct(s.share),
      pct(s.monetaryShare),
      pct(s.balanceShare),
      // Medians: rupees for money, whole numbers otherwise.
      ...NUMERIC_FEATURES.map((f) => (FEATURES[f].money ? inr(s.profile[f]) : num(s.profile[f], 0))),
      standsOut(s),
    ]),
  };

  const sweepTable: Block = {
    kind: 'table',
    head: ['k', 'inertia', 'silhouette', 'Davies–Bouldin', 'Calinski–Harabasz', 'stability (ARI)'],
    align: ['r', 'r', 'r', 'r', 'r', 'r'],
    rows: seg.kSweep.map((s) => [
      s.k === seg.k ? `**${s.k}**` : String(s.k),
      count(s.inertia),
      num(s.silhouette, 3),
      num(s.daviesBouldin, 3),
      count(s.calinskiHarabasz),
      num(s.stability, 3),
    ]),
  };

  const imputed = space.features
    .map((f, j) => ({ f, m: space.imputed[j] }))
    .filter((x) => x.m > 0)
    .map((x) => `${featureWords(x.f)} ${count(x.m)} (${pct(x.m / space.n, 2)})`);
  const cleaning = quality.entries
    .filter((e) => e.count > 0)
    .map((e) => `${e.column}: ${count(e.count)} ${e.action} (${e.reason})`);

  const caveats = [
    `Frequency carries little signal: ${pct(freq.single)} of customers have exactly one transaction in the data, so "frequent" means two or three transactions.`,
    `The data cover a short window (recency runs from 0 to ${count(maxOf(features.recencyDays))} days), so "lapsed" means quiet for weeks, not churned; confirm with later data before costly win-back campaigns.`,
    imputed.length > 0
      ? `Missing values were imputed with the median before clustering: ${imputed.join('; ')}.`
      : 'No value had to be imputed.',
    `Money features (${space.logged.map(featureWords).join(', ')}) were log-transformed and every feature standardized, so each counts equally; amounts and balances were capped at their ${num(100 * quality.caps.quantile, 1)}th percentile (${inr(quality.caps.amount)} and ${inr(quality.caps.balance)}).`,
    `The silhouette is the mean over a seeded sample, not all customers; k-means draws round, similar-sized clusters, so a segment is a region of customer space rather than a natural group${seg.silhouette < 0.25 ? ' (the low silhouette says the segments cut a continuum)' : ''}.`,
    `Stability is the mean adjusted Rand index between fits on different customer samples with different seeds (1 = the same segments every time).`,
    cleaning.length > 0 ? `Cleaning: ${cleaning.join('; ')}.` : 'Cleaning changed nothing.',
  ];

  return [
    { kind: 'h1', text: 'Customer segments: business insights' },
    { kind: 'p', text: `Source: ${count(quality.inputRows)} transaction rows, ${count(quality.outputRows)} after cleaning, ${count(features.n)} customers. Features: ${space.features.map(featureWords).join(', ')}.` },
    { kind: 'h2', text: 'Key findings' },
    { kind: 'ul', items: findings },
    { kind: 'h2', text: 'Segments' },
    { kind: 'p', text: 'Medians in original units (INR, days, years); shares are of all customers, all money moved and all balances held; "stands out by" is the segment mean minus everyone\'s, in standard deviations of the model features.' },
    segmentTable,
    { kind: 'h2', text: 'Recommended actions' },
    { kind: 'ul', items: segments.map((s) => `**${s.name}** (segment ${s.id}): ${s.action}`) },
    { kind: 'h2', text: 'How k was chosen' },
    { kind: 'p', text: seg.recommendation.reason },
    sweepTable,
    { kind: 'h2', text: 'Caveats' },
    { kind: 'ul', items: caveats },
  ];
}

function maxOf(values: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  return max;
}

/** Markdown of the blocks (GitHub tables). O(size). */
export function toMarkdown(blocks: readonly Block[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return (
    blocks
      .map((b) => {
        switch (b.kind) {
          case 'h1':
            return `# ${b.text}`;
          case 'h2':
            return `## ${b.text}`;
          case 'p':
            return b.text;
          case 'ul':
            return b.items.map((item) => `- ${item}`).join('\n');
          case 'table': {
            const rule = b.head.map((_, c) => (b.align?.[c] === 'r' ? '---:' : '---'));
            return [b.head, rule, ...b.rows].map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n');
          }
        }
      })
      .join('\n\n') + '\n'
  );
}


/** Inline text to HTML: escaped, with `**bold**` as <strong>. */
function inline(s: string): string {
  return escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
}

/** A standalone HTML page of the blocks (inline CSS, no scripts). O(size). */
export function toHtml(blocks: readonly Block[]): string {
  const title = blocks.find((b) => b.kind === 'h1');
  const body = blocks
    .map((b) => {
      switch (b.kind) {
        case 'h1':
        case 'h2':
        case 'p':
          return `<${b.kind}>${inline(b.text)}</${b.kind}>`;
        case 'ul':
          return `<ul>\n${b.items.map((item) => `  <li>${inline(item)}</li>`).join('\n')}\n</ul>`;
        case 'table': {
          const cls = (c: number): string => (b.align?.[c] === 'r' ? ' class="num"' : '');
          const head = b.head.map((h, c) => `<th${cls(c)}>${inline(h)}</th>`).join('');
          const rows = b.rows.map((row) => `  <tr>${row.map((v, c) => `<td${cls(c)}>${inline(v)}</td>`).join('')}</tr>`).join('\n');
          return `<table>\n  <thead><tr>${head}</tr></thead>\n  <tbody>\n${rows}\n  </tbody>\n</table>`;
        }
      }
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title && title.kind === 'h1' ? escapeHtml(title.text) : 'Insights'}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
  table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
  th { background: #f4f4f4; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  li { margin: 0.3em 0; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The report as Markdown and HTML text. */
export function renderInsights(seg: ProfiledSegmentation, quality: QualityReport, features: CustomerFeatures): { md: string; html: string } {
  const blocks = insightsBlocks(seg, quality, features);
  return { md: toMarkdown(blocks), html: toHtml(blocks) };
}

/**
 * Writes `outDir/insights.md` and `outDir/insights.html` and returns their paths. With `outputs`, they join that set
 * and appear when it is committed; otherwise both appear now, or neither. O(n) + O(k).
 */
export async function writeInsightsReport(
  seg: ProfiledSegmentation,
  quality: QualityReport,
  features: CustomerFeatures,
  outDir: string,
  outputs?: OutputSet,
): Promise<{ md: string; html: string }> {
  if (!outputs) return (await writeOutputs((set) => writeInsightsReport(seg, quality, features, outDir, set))).result;
  const { md, html } = renderInsights(seg, quality, features);
  const mdPath = path.join(outDir, 'insights.md');
  const htmlPath = path.join(outDir, 'insights.html');
  await outputs.write(mdPath, md);
  await outputs.write(htmlPath, html);
  return { md: mdPath, html: htmlPath };
}
