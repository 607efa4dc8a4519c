/**
 * The reports of a saved model applied to new data: `assignment.md/.html` (where the new customers went, how far they
 * sit from their centroids, whether the names still hold, the drift and the recommendation) and `migration.md/.html`
 * (the periods the data supports, the migration matrices, the moves that matter). Built as blocks and rendered by the
 * insights report's Markdown and HTML writers. Every number comes from the assignment or migration it describes.
 */
import { count, inr, num, pct } from '../format';
import { featureWords } from '../preprocess/feature_registry';
import { toHtml, toMarkdown } from '../insights/report';
import type { Block } from '../insights/report';
import { PSI_EPSILON, PSI_REFIT, PSI_STABLE } from '../stats/psi';
import type { SegmentModel } from '../model/model';
import type { Assignment } from './assign';
import type { Migration } from './migration';

/** Which parameters of the scoring come from the model and which from the new data (docs/model.md). */
export const PARAMETER_SOURCES = {
  fromModel: [
    'the outlier caps on amounts and balances (INR, the training data\'s quantiles)',
    'the cleaning and customer-key rules (age floor and ceiling, the placeholder birth year, the century rule), checked equal to this bankseg\'s',
    'the transform of each model feature: log1p or not, the median that replaces a missing value, the mean and standard deviation',
    'the centroids, segment names and actions',
    'the RFM cut points of recency and money moved',
    'the thirds of money moved that the value words of the names use, and the naming thresholds',
  ],
  fromData: [
    'the transactions, hence the customers and their keys',
    'the as-of date recency counts from: the data\'s last transaction date, as at training, unless given with --as-of',
    'the top-10 locations (not a model feature)',
  ],
} as const;

const readingWord = (r: string | undefined): string => r ?? 'n/a';

/** One line about the model: when it was fitted, on what, with which features. */
export function modelLine(model: SegmentModel): string {
  const t = model.training;
  return `Model: ${model.k} segments on ${model.features.map((f) => featureWords(f.name)).join(', ')}, fitted by bankseg ${model.bankseg} on ${count(t.customers)} customers (${count(t.rowsCleaned)} transactions, ${t.firstDate} to ${t.lastDate}, recency from ${t.asOf}).`;
}

/** The assignment report's blocks. O(k + features). */
export function assignmentBlocks(a: Assignment): Block[] {
  const { model, drift } = a;
  const n = a.data.features.n;
  const segmentTable: Block = {
    kind: 'table',
    head: ['#', 'segment', 'customers', 'share', 'training share', 'median distance', 'training median', 'beyond training p99'],
    align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: a.segments.map((s) => [
      String(s.id),
      s.name,
      count(s.customers),
      pct(s.share),
      pct(s.trainingShare),
      num(s.distance.p50),
      num(s.trainingDistance.p50),
      s.customers > 0 ? `${count(s.beyondTrainingP99)} (${pct(s.beyondTrainingP99 / s.customers)})` : '0',
    ]),
  };
  const driftTable: Block = {
    kind: 'table',
    head: ['variable', 'PSI', 'reading', 'sampling alone'],
    align: ['l', 'r', 'l', 'r'],
    rows: [...drift.features, drift.segments].map((v) => [
      v.variable === 'segment shares' ? 'segment shares' : featureWords(v.variable),
      num(v.psi, 3),
      readingWord(v.reading),
      num(v.noise, 4),
    ]),
  };
  const nameItems = a.segments
    .filter((s) => s.nameWords.length > 0)
    .map((s) => `**${s.name}**: ${s.nameWords.map((w) => `*${w.word}* (${w.claim}) holds for ${pct(w.share, 0)} of the new members (${pct(w.trainingShare, 0)} at training)${w.share < 0.5 ? ', **no longer most of them**' : ''}`).join('; ')}.`);
  const rfmTable: Block = {
    kind: 'table',
    head: ['RFM segment', 'customers', 'share', 'training share'],
    align: ['l', 'r', 'r', 'r'],
    rows: a.rfmSegments.map((r) => [r.name, count(r.customers), pct(r.share), pct(r.trainingShare)]),
  };
  const beyondShare = n > 0 ? a.beyondTrainingP99 / n : NaN;
  return [
    { kind: 'h1', text: 'Scoring new data with the saved model' },
    { kind: 'p', text: modelLine(model) },
    {
      kind: 'p',
      text: `New data: ${count(a.data.quality.inputRows)} transaction rows, ${count(a.data.quality.outputRows)} after cleaning, ${count(n)} customers, ${a.window.firstDate} to ${a.window.lastDate}; recency from ${a.window.asOf}.`,
    },
    { kind: 'p', text: `**${drift.recommendation}**` },
    { kind: 'h2', text: 'Where the customers went' },
    {
      kind: 'p',
      text: `Each customer is assigned to the nearest training centroid in the model's coordinates. Distances are Euclidean in those coordinates (standard deviations of the training data); "beyond training p99" counts the customers farther from their centroid than 99% of its training members were (1% at training): ${count(a.beyondTrainingP99)} of ${count(n)} (${pct(beyondShare)}) here.`,
    },
    segmentTable,
    { kind: 'h2', text: 'Drift: population stability index' },
    {
      kind: 'p',
      text: `PSI = Σ (new share − training share) · ln(new share / training share) over the training bins: the training deciles of each feature (missing values a bin of their own), the segments for the shares; an empty bin counts as a share of ${PSI_EPSILON}. Reading: below ${PSI_STABLE} stable, ${PSI_STABLE} to ${PSI_REFIT} watch, above ${PSI_REFIT} refit. "Sampling alone" is the PSI two samples of these sizes from one population give on average.`,
    },
    driftTable,
    { kind: 'h2', text: 'Do the names still hold?' },
    nameItems.length > 0
      ? { kind: 'ul', items: nameItems }
      : { kind: 'p', text: 'No segment name has words (every segment is "mainstream").' },
    { kind: 'h2', text: 'RFM segments by the training cut points' },
    rfmTable,
    { kind: 'h2', text: 'What the numbers rest on' },
    { kind: 'ul', items: [...a.notes] },
    { kind: 'p', text: 'From the model: ' + PARAMETER_SOURCES.fromModel.join('; ') + '. From the new data: ' + PARAMETER_SOURCES.fromData.join('; ') + '.' },
  ];
}

/** The migration report's blocks. O(periods · k²). */
export function migrationBlocks(model: SegmentModel, mg: Migration): Block[] {
  const names = [...model.segments.map((s) => s.name), 'no transaction'];
  const blocks: Block[] = [
    { kind: 'h1', text: 'Segment migration' },
    { kind: 'p', text: modelLine(model) },
    { kind: 'h2', text: 'The periods and what the data supports' },
    { kind: 'ul', items: [...mg.notes] },
    {
      kind: 'table',
      head: ['period', 'customers', ...model.segments.map((s) => s.name), 'PSI of the shares'],
      align: ['l', 'r', ...model.segments.map(() => 'r' as const), 'r'],
      rows: mg.periods.map((p) => [
        p.period.label,
        count(p.features.n),
        ...p.segmentCounts.map((c) => pct(p.features.n > 0 ? c / p.features.n : NaN)),
        `${num(p.segmentPsi, 3)} (${readingWord(p.segmentReading)})`,
      ]),
    },
    {
      kind: 'p',
      text: `${count(mg.customers.keys.length)} customers in all; ${count(mg.inOnePeriod)} of them (${pct(mg.inOnePeriod / mg.customers.keys.length)}) have transactions in one period only: they are in the matrices as gone quiet or new, not dropped.`,
    },
  ];
  for (const t of mg.transitions) {
    const a = mg.periods[t.from].period.label;
    const b = mg.periods[t.to].period.label;
    blocks.push(
      { kind: 'h2', text: `${a} → ${b}` },
      { kind: 'ul', items: [...t.sentences] },
      { kind: 'p', text: `Customers by segment in ${a} (rows) and ${b} (columns), with the share of the row; "no transaction": none in that period.` },
      {
        kind: 'table',
        head: [`in ${a}`, ...names.map((x) => `${x} in ${b}`), 'total'],
        align: ['l', ...names.map(() => 'r' as const), 'r'],
        rows: t.counts.map((row, r) => [
          names[r],
          ...row.map((c, col) => (r === names.length - 1 && col === names.length - 1 ? '—' : `${count(c)} (${pct(t.rowShares[r][col], 0)})`)),
          count(row.reduce((s, x) => s + x, 0)),
        ]),
      },
      { kind: 'p', text: `Balances held in ${a} by the customers who went quiet: ${model.segments.filter((s) => t.counts[s.id][model.k] > 0).map((s) => `${s.name} ${inr(t.quietBalances[s.id])}`).join('; ') || 'none went quiet'}.` },
    );
  }
  return blocks;
}

/** A report as Markdown and HTML text. */
export function renderBlocks(blocks: readonly Block[]): { md: string; html: string } {
  return { md: toMarkdown(blocks), html: toHtml(blocks) };
}
