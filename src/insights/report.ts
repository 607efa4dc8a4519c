/**
 * The business insights report (figures/insights.md and insights.html), written from a segmentation's results:
 * key findings with numbers, the segment table, what the names mean, who is in each segment, recommended actions,
 * the RFM segments beside the k-means ones, how k was chosen, and the caveats detected in the data.
 * The content is built once as a list of blocks and rendered to both Markdown and HTML. Every sentence is computed
 * from the outputs it describes; a statement that would not hold is not written.
 */
import * as path from 'node:path';
import type { CleanTable, QualityReport } from '../table';
import { sampleWords } from '../collect/db/sample';
import type { DrawnSample } from '../collect/db/sample';
import { isoDate } from '../table';
import { featureWords } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { writeOutputs } from '../io/atomic';
import type { OutputSet } from '../io/atomic';
import type { ProfiledSegmentation, SegmentProfile } from './types';
import { count, escapeHtml, inr, num, pct, signed } from '../format';
import { associationWords, mixShares, NEGLIGIBLE_V } from './mix';
import { RFM_RULES, RFM_SEGMENTS } from './rfm';
import { dayCountsOf, detectCaveats } from './caveats';
import { DISTINCT } from './naming';
import { absenceIsEvidence, limitWords } from './recency';
import { instability } from '../segment/select';
import { SILHOUETTE_SAMPLE_SIZE } from '../segment/metrics';

/** A block of the report. Inline text may use `**bold**`. */
export type Block =
  | { readonly kind: 'h1' | 'h2' | 'p'; readonly text: string }
  | { readonly kind: 'ul'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly align?: readonly ('l' | 'r')[] };

/** What the report is written from, besides the segmentation (no transaction rows with the SQL push-down). */
export interface ReportData {
  readonly quality: QualityReport;
  readonly features: CustomerFeatures;
  /** The cleaned rows (their dates), or, from the SQL push-down, the transactions per day they give. */
  readonly clean?: Pick<CleanTable, 'date' | 'rows'>;
  readonly transactionsPerDay?: readonly { readonly day: number; readonly transactions: number }[];
  /** When the features are a sample of the customers drawn in the database (`segment --push-down --sample`). */
  readonly sample?: DrawnSample;
}

/** The two features that set a segment apart most, e.g. `balance +1.32, age −0.80` (standard deviations). */
function standsOut(s: SegmentProfile, top = 2): string {
  return Object.entries(s.lift)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => Math.abs(b[1] as number) - Math.abs(a[1] as number))
    .slice(0, top)
    .map(([f, v]) => `${featureWords(f)} ${signed(v as number)}`)
    .join(', ');
}

/** The malformed rows the reader skipped, in words, e.g. `2 malformed rows skipped when reading, the first at data.csv:103, column CustomerID`. */
export function skippedWords(malformed: QualityReport['malformed']): string {
  if (malformed.count === 0) return 'no malformed row skipped when reading';
  const first = malformed.examples[0];
  const where = first ? `, the first at ${first.file}:${first.line}, column ${first.column}` : '';
  return `${count(malformed.count)} malformed ${malformed.count === 1 ? 'row' : 'rows'} skipped when reading${where}`;
}

/** How strong the cluster structure is, in words (Kaufman & Rousseeuw's reading of the mean silhouette). */
export function silhouetteWords(s: number): string {
  if (!Number.isFinite(s)) return 'not measured';
  if (s > 0.7) return 'strong structure';
  if (s > 0.5) return 'reasonable structure';
  if (s > 0.25) return 'weak structure: segments overlap';
  return 'no substantial structure: the segments cut a continuum';
}

/** `F 31%, M 68%, unknown 1%`: the shares of a mix in segment c, the tiny ones (< 0.5%) left out. */
function mixLine(shares: { value: string; share: number }[], top = Infinity): string {
  return shares
    .filter((x) => x.share >= 0.005)
    .sort((a, b) => b.share - a.share)
    .slice(0, top)
    .map((x) => `${x.value} ${pct(x.share, 0)}`)
    .join(', ');
}

/** `gender: no detectable difference between segments (…); location: …; time of day: …`: the three mix tests in words. */
function mixTests(mix: ProfiledSegmentation['context']['mix']): string {
  return `gender: ${associationWords(mix.gender.test)}; location: ${associationWords(mix.location.test)}; time of day: ${associationWords(mix.timeOfDay.test)}`;
}

/** The stability cells of a sweep row: restarts that found the solution, refit agreement, rival, verdict. */
function stabilityCells(s: ProfiledSegmentation['kSweep'][number]): string[] {
  const rival = Number.isFinite(s.rivalAri) ? `${pct(s.rivalGap, 2)} worse, ARI ${num(s.rivalAri)}` : 'none';
  return [`${s.confirmedBy} of ${s.restarts}`, num(s.stability, 3), rival, s.stable ? 'yes' : 'no'];
}

/** What k-means adds to RFM and RFM to k-means, from the cross-tab and the profiles. */
function rfmComparison(seg: ProfiledSegmentation): string[] {
  const { rfm } = seg.context;
  const n = rfm.customers.reduce((a, b) => a + b, 0);
  const largest = seg.segments.map((s) => {
    const row = rfm.crossTab[s.id];
    const best = row.indexOf(Math.max(...row));
    return `${s.name} ${pct(row[best] / s.size, 0)} ${RFM_SEGMENTS[best]}`;
  });
  const v = rfm.test.cramersV;
  const overlap = v < NEGLIGIBLE_V ? 'barely overlap' : v < 0.3 ? 'overlap weakly' : v < 0.5 ? 'overlap moderately' : 'overlap strongly';
  const balances = seg.segments.map((s) => s.profile.balance);
  const ages = seg.segments.map((s) => s.profile.age).filter(Number.isFinite);
  return [
    `The two groupings ${overlap} (Cramér's V ${num(v)} over the cross-tab): the largest RFM segment of each k-means segment is ${largest.join('; ')}.`,
    `RFM sees only what customers did in the window (recency and money moved) and ranks them against each other; it does not see balances or age, which vary across the k-means segments (median balance from ${inr(Math.min(...balances))} to ${inr(Math.max(...balances))}, median age from ${num(Math.min(...ages), 0)} to ${num(Math.max(...ages), 0)}).`,
    `K-means uses ${seg.space.features.map((f) => featureWords(f)).join(', ')}; its segments are regions of those ${seg.space.d} features, not ranks: RFM says who was recent and valuable in this window in words CRM teams already use.`,
    rfm.repeatCustomers / n < 0.05
      ? `F carries almost nothing here: ${count(rfm.repeatCustomers)} of ${count(n)} customers (${pct(rfm.repeatCustomers / n, 2)}) transacted more than once, and only they can be Champions, Loyal or Can't lose them.`
      : `${count(rfm.repeatCustomers)} of ${count(n)} customers (${pct(rfm.repeatCustomers / n)}) transacted more than once; only they can be Champions, Loyal or Can't lose them.`,
  ];
}

/**
 * When the data cannot show that a customer stopped transacting (recency.ts), how to read the standard RFM names
 * that say so: the report keeps the names CRM teams know and says what their R means here. '' otherwise.
 */
export function rfmRecencyNote(seg: Pick<ProfiledSegmentation, 'context'>): string {
  const limits = seg.context.recency;
  if (absenceIsEvidence(limits)) return '';
  return `R ranks when a customer was last seen in these rows; since ${limitWords(limits)}, "About to sleep", "At risk", "Hibernating" and "Can't lose them" mean seen earlier in the window, not that these customers are drifting away. The standard names are kept so CRM teams can map them.`;
}

/** The report's content. O(n) (the caveats' passes) + O(k). */
export function insightsBlocks(seg: ProfiledSegmentation, data: ReportData): Block[] {
  const { quality, features } = data;
  const segments = [...seg.segments];
  const byMoney = [...segments].sort((a, b) => b.monetaryShare - a.monetaryShare);
  const byBalance = [...segments].sort((a, b) => b.balanceShare - a.balanceShare);
  const topMoney = byMoney[0];
  const topBalance = byBalance[0];
  const space = seg.space;
  const chosen = seg.kSweep.find((s) => s.k === seg.k);
  const stable = chosen?.stable ?? false;
  const anyStable = seg.kSweep.some((s) => s.stable);
  const { mix, rfm } = seg.context;

  const kSentence =
    seg.recommendation.k === seg.k
      ? `k was chosen automatically: ${seg.recommendation.reason}`
      : `k = ${seg.k} was requested (the sweep recommends ${seg.recommendation.k})${chosen && !chosen.stable ? `, and it is **not stable**: ${instability(chosen)}` : ''}. ${seg.recommendation.reason}`;
  const findings = [
    `**${count(features.n)} customers** (${count(quality.outputRows)} cleaned transactions) fall into **${seg.k} segments**; ${kSentence}`,
    ...(anyStable ? [] : ['**No k in the sweep is stable**: the segments depend on the sample and the seed; use them as a provisional partition.']),
    `**${topMoney.name}** (segment ${topMoney.id}) are ${pct(topMoney.share)} of customers and account for **${pct(topMoney.monetaryShare)} of all money moved** (${inr(topMoney.moneyMoved)}; median ${inr(topMoney.profile.monetaryTotal)} per customer).`,
    topBalance.id === topMoney.id
      ? `The same segment also holds the most balances: ${pct(topBalance.balanceShare)} (median balance ${inr(topBalance.profile.balance)}).`
      : `**${topBalance.name}** (segment ${topBalance.id}) hold **${pct(topBalance.balanceShare)} of all balances** (${inr(topBalance.balancesHeld)}) with ${pct(topBalance.share)} of customers (median balance ${inr(topBalance.profile.balance)}).`,
    `Beyond the model — ${mixTests(mix)}.`,
    `Cluster quality: mean silhouette ${num(seg.silhouette)} (${silhouetteWords(seg.silhouette)}), Davies–Bouldin ${num(seg.daviesBouldin)}, Calinski–Harabasz ${count(seg.calinskiHarabasz)}.`,
  ];

  const segmentTable: Block = {
    kind: 'table',
    head: ['#', 'segment', 'customers', 'share', 'money', 'balances', 'recency (d)', 'total', 'balance', 'age', 'repeat', 'reused ID', 'stands out by (SD)'],
    align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: segments.map((s) => [
      String(s.id),
      s.name,
      count(s.size),
      pct(s.share),
      pct(s.monetaryShare),
      pct(s.balanceShare),
      num(s.profile.recencyDays, 0),
      inr(s.profile.monetaryTotal),
      inr(s.profile.balance),
      num(s.profile.age, 0),
      pct(s.repeatShare),
      pct(s.reusedIdShare),
      standsOut(s),
    ]),
  };

  const nameItems = segments.map((s) =>
    s.nameWords.length === 0
      ? `**${s.name}** (segment ${s.id}): no word holds for most of its members and sets them apart from the rest.`
      : `**${s.name}** (segment ${s.id}): ${s.nameWords.map((w) => `*${w.word}* = ${w.claim}: ${pct(w.share, 0)} of members (${pct(w.baseShare, 0)} of all customers)`).join('; ')}.`,
  );

  const whoTable: Block = {
    kind: 'table',
    head: ['#', 'segment', 'gender', 'top locations', 'time of day'],
    align: ['r', 'l', 'l', 'l', 'l'],
    rows: segments.map((s) => [
      String(s.id),
      s.name,
      mixLine(mixShares(mix.gender, s.id)),
      mixLine(mixShares(mix.location, s.id).filter((x) => x.value !== 'OTHER'), 3),
      mixLine(mixShares(mix.timeOfDay, s.id)),
    ]),
  };

  const rfmTable: Block = {
    kind: 'table',
    head: ['RFM segment', 'rule', 'customers', 'share', 'money'],
    align: ['l', 'l', 'r', 'r', 'r'],
    rows: RFM_SEGMENTS.map((name, i) => {
      const n = rfm.customers.reduce((a, b) => a + b, 0);
      const money = rfm.money.reduce((a, b) => a + b, 0);
      return [name, RFM_RULES[name], count(rfm.customers[i]), pct(rfm.customers[i] / n), pct(money > 0 ? rfm.money[i] / money : 0)];
    }),
  };
  const crossTab: Block = {
    kind: 'table',
    head: ['segment', ...RFM_SEGMENTS],
    align: ['l', ...RFM_SEGMENTS.map(() => 'r' as const)],
    rows: segments.map((s) => [s.name, ...rfm.crossTab[s.id].map((x) => count(x))]),
  };

  const sweepTable: Block = {
    kind: 'table',
    head: ['k', 'inertia', 'silhouette', 'Davies–Bouldin', 'Calinski–Harabasz', 'found by', 'refit ARI', 'rival', 'stable'],
    align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    rows: seg.kSweep.map((s) => [
      s.k === seg.k ? `**${s.k}**` : String(s.k),
      count(s.inertia),
      num(s.silhouette, 3),
      num(s.daviesBouldin, 3),
      count(s.calinskiHarabasz),
      ...stabilityCells(s),
    ]),
  };

  const cleaning = quality.entries
    .filter((e) => e.count > 0)
    .map((e) => `${e.column}: ${count(e.count)} ${e.action} (${e.reason})`);
  const caveats = [
    ...detectCaveats(segments, space, quality, features, dayCountsOf(data), seg.context.recency),
    `The silhouette is the mean over ${features.n > SILHOUETTE_SAMPLE_SIZE ? `a sample of ${count(SILHOUETTE_SAMPLE_SIZE)} customers, not all of them` : `all ${count(features.n)} customers`}; k-means draws round, similar-sized clusters, so a segment is a region of customer space rather than a natural group${seg.silhouette < 0.25 ? ' (the low silhouette says the segments cut a continuum)' : ''}.`,
    `Stability: for each k, the restarts of k-means are refits on other samples of customers with other seeds; "found by" counts those that reach the delivered solution, "refit ARI" is their mean agreement with the delivered segments (1 = the same), and a rival is a different solution within 1% of its inertia. A k is stable when 3 or more restarts find it, the refits agree at 0.9 or more and there is no rival.`,
    cleaning.length > 0 ? `Cleaning: ${cleaning.join('; ')}.` : 'Cleaning changed nothing.',
  ];

  return [
    { kind: 'h1', text: 'Customer segments: business insights' },
    {
      kind: 'p',
      text: data.sample
        ? `Source: ${count(quality.inputRows)} transaction rows (${skippedWords(quality.malformed)}), ${count(quality.outputRows)} after cleaning, ${count(data.sample.customers)} customers (a customer is a CustomerID with one birth date and gender). **Everything below describes ${sampleWords(data.sample)}**, not all of them: the data-quality counts are the whole table's. Model features: ${space.features.map((f) => featureWords(f)).join(', ')}. Recency counts days before ${isoDate(features.asOf)}.`
        : `Source: ${count(quality.inputRows)} transaction rows (${skippedWords(quality.malformed)}), ${count(quality.outputRows)} after cleaning, ${count(features.n)} customers (a customer is a CustomerID with one birth date and gender). Model features: ${space.features.map((f) => featureWords(f)).join(', ')}. Recency counts days before ${isoDate(features.asOf)}.`,
    },
    { kind: 'h2', text: 'Key findings' },
    { kind: 'ul', items: findings },
    ...(stable || seg.recommendation.k !== seg.k ? [] : [{ kind: 'p' as const, text: '**These segments are provisional**: no k passed the stability checks (see How k was chosen).' }]),
    { kind: 'h2', text: 'Segments' },
    { kind: 'p', text: 'Medians in original units (INR, days, years); shares are of all customers, all money moved and all balances held; "repeat" is the share with two or more transactions, "reused ID" the share whose CustomerID other people use too; "stands out by" is the segment mean minus everyone\'s, in standard deviations of the model features.' },
    segmentTable,
    { kind: 'h2', text: 'What the names mean' },
    { kind: 'p', text: `Each word of a name holds for at least half of the segment's members and for at least ${DISTINCT} times the share of all customers; thresholds are absolute (docs/data-model.md, section 7).` },
    { kind: 'ul', items: nameItems },
    { kind: 'h2', text: 'Who is in each segment' },
    { kind: 'p', text: `Shares of each segment's members (top three named locations; the other locations are grouped as OTHER). Chi-square tests of independence — ${mixTests(mix)}.` },
    whoTable,
    { kind: 'h2', text: 'Recommended actions' },
    { kind: 'ul', items: segments.map((s) => `**${s.name}** (segment ${s.id}): ${s.action}`) },
    { kind: 'h2', text: 'RFM segments beside the k-means segments' },
    { kind: 'p', text: 'R and M are quintile scores 1–5 of recency and money moved, tied customers sharing a score; F is whether the customer transacted more than once (docs/data-model.md, section 6).' },
    ...(rfmRecencyNote(seg) ? [{ kind: 'p' as const, text: rfmRecencyNote(seg) }] : []),
    rfmTable,
    { kind: 'p', text: 'Customers by k-means segment (rows) and RFM segment (columns):' },
    crossTab,
    { kind: 'ul', items: rfmComparison(seg) },
    { kind: 'h2', text: 'How k was chosen' },
    { kind: 'p', text: seg.recommendation.reason },
    sweepTable,
    {
      kind: 'p',
      text: chosen
        ? `The table scores the sweep's fits. The delivered k = ${seg.k} fit continues the sweep's until no customer changes segment (${count(seg.fit.iterations)} Lloyd iterations in all): inertia ${count(seg.fit.inertia)}, silhouette ${num(seg.silhouette, 3)}, Davies–Bouldin ${num(seg.daviesBouldin, 3)}.`
        : `The table scores the sweep's fits; the requested k = ${seg.k} was fitted the same way and run until no customer changes segment: inertia ${count(seg.fit.inertia)}, silhouette ${num(seg.silhouette, 3)}.`,
    },
    { kind: 'h2', text: 'Caveats' },
    { kind: 'ul', items: caveats },
  ];
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
export function renderInsights(seg: ProfiledSegmentation, data: ReportData): { md: string; html: string } {
  const blocks = insightsBlocks(seg, data);
  return { md: toMarkdown(blocks), html: toHtml(blocks) };
}

/**
 * Writes `outDir/insights.md` and `outDir/insights.html` and returns their paths. With `outputs`, they join that set
 * and appear when it is committed; otherwise both appear now, or neither. O(n) + O(k).
 */
export async function writeInsightsReport(
  seg: ProfiledSegmentation,
  data: ReportData,
  outDir: string,
  outputs?: OutputSet,
): Promise<{ md: string; html: string }> {
  if (!outputs) return (await writeOutputs((set) => writeInsightsReport(seg, data, outDir, set))).result;
  const { md, html } = renderInsights(seg, data);
  const mdPath = path.join(outDir, 'insights.md');
  const htmlPath = path.join(outDir, 'insights.html');
  await outputs.write(mdPath, md);
  await outputs.write(htmlPath, html);
  return { md: mdPath, html: htmlPath };
}
