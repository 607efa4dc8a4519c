/**
 * Exploratory figures of the transactions and customers: what the data looks like before any model.
 * Each function aggregates its table in one pass (see ./aggregate) and returns a small Plotly spec.
 */
import type { Figure } from './figure';
import { quantile } from '../stats/quantile';
import { CleanTable, TransactionTable, TIME_OF_DAY, isoDate } from '../table';
import { CustomerFeatures } from '../preprocess/feature_registry';
import {
  Histogram,
  columnGaps,
  countCodes,
  dayCounts,
  hourCounts,
  linearHistogram,
  logHistogram,
  topValues,
} from '../explore/aggregate';
import {
  MUTED_COLOR,
  PRIMARY_COLOR,
  SECONDARY_COLOR,
  axis,
  baseLayout,
  countAxis,
  logAxis,
  makeFigure,
} from './theme';
import { count, inrCompact, pct } from '../format';

/** Bins per power of ten of the money histograms: fine enough to show shape, coarse enough to stay smooth. */
const MONEY_BINS_PER_DECADE = 10;

/**
 * Distribution of the customers' latest known balance (INR), log-scale x with log bins; zero and unknown
 * balances are counted in the subtitle since a log axis cannot show them. Cost: O(n log n) (the median).
 */
export function balanceDistribution(features: CustomerFeatures): Figure {
  const hist = logHistogram(features.balance, MONEY_BINS_PER_DECADE);
  const median = quantile(features.balance, 0.5);
  const title = 'Account balance of customers';
  const notShown = notShownNote(hist, 'balance 0', 'no known balance', 'customers');
  const subtitle = `Latest known balance of ${count(features.n)} customers; median ${inrCompact(median)} INR${notShown}`;
  return moneyHistogram('balance_distribution', title, subtitle, hist, median, 'Account balance (INR, log scale)', 'customers');
}

/**
 * Distribution of transaction amounts (INR, after the outlier cap), log-scale x with log bins; zero
 * amounts are counted in the subtitle. Cost: O(n log n) (the median).
 */
export function amountDistribution(clean: CleanTable): Figure {
  const hist = logHistogram(clean.amount, MONEY_BINS_PER_DECADE);
  const median = quantile(clean.amount, 0.5);
  const title = 'Transaction amounts';
  const notShown = notShownNote(hist, 'amount 0', 'no amount', 'transactions');
  const subtitle = `${count(clean.rows)} transactions; median ${inrCompact(median)} INR${notShown}`;
  return moneyHistogram('amount_distribution', title, subtitle, hist, median, 'Transaction amount (INR, log scale)', 'transactions');
}

function notShownNote(hist: Histogram, zeroWhat: string, missingWhat: string, unit: string): string {
  const parts: string[] = [];
  if (hist.outside > 0) parts.push(`${count(hist.outside)} ${unit} with ${zeroWhat}`);
  if (hist.missing > 0) parts.push(`${count(hist.missing)} with ${missingWhat}`);
  return parts.length ? `; not shown: ${parts.join(', ')}` : '';
}

/** Bars spanning [lo, hi) on a log axis: Plotly bar widths are in data units, so x = the arithmetic centre, width = hi − lo. */
function moneyHistogram(
  name: string,
  title: string,
  subtitle: string,
  hist: Histogram,
  median: number,
  xTitle: string,
  unit: string,
): Figure {
  const lo = hist.edges.slice(0, -1);
  const hi = hist.edges.slice(1);
  const bars = {
    type: 'bar',
    name: unit,
    x: lo.map((l, i) => (l + hi[i]) / 2),
    width: lo.map((l, i) => hi[i] - l),
    y: [...hist.counts],
    customdata: lo.map((l, i) => [inrCompact(l), inrCompact(hi[i])]),
    hovertemplate: `%{customdata[0]}–%{customdata[1]} INR: %{y:,} ${unit}<extra></extra>`,
    marker: { color: PRIMARY_COLOR, line: { color: '#FFFFFF', width: 0.6 } },
  };
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: logAxis(xTitle, hist.edges.length ? [hist.edges[0], hist.edges[hist.edges.length - 1]] : undefined),
    yaxis: countAxis(capitalise(unit)),
    bargap: 0,
    showlegend: false,
    ...(Number.isFinite(median) && median > 0 ? medianMarker(median) : {}),
  };
  return makeFigure(name, title, [bars], layout);
}

function medianMarker(median: number): Record<string, unknown> {
  return {
    shapes: [
      { type: 'line', xref: 'x', yref: 'paper', x0: median, x1: median, y0: 0, y1: 1, line: { color: '#2F3437', width: 2, dash: 'dash' } },
    ],
    annotations: [
      {
        xref: 'x',
        yref: 'paper',
        x: Math.log10(median), // annotations on a log axis take log10 coordinates
        y: 1,
        text: `median ${inrCompact(median)} INR`,
        showarrow: false,
        xanchor: 'left',
        yanchor: 'top',
        xshift: 6,
        font: { size: 14 },
      },
    ],
  };
}

/** Ages (years) of the customers with a known age, one bar per year. Cost: O(n). */
export function ageDistribution(features: CustomerFeatures): Figure {
  const hist = linearHistogram(features.age, 1);
  const known = hist.counts.reduce((a, b) => a + b, 0);
  const median = quantile(features.age, 0.5);
  const title = 'Age of customers';
  const subtitle =
    `${count(known)} customers with a known age; median ${Number.isFinite(median) ? median : '–'} years; ` +
    `${count(hist.missing)} unknown (missing, 1/1/1800 placeholder or impossible) not shown`;
  const bars = {
    type: 'bar',
    x: hist.edges.slice(0, -1),
    y: [...hist.counts],
    hovertemplate: 'age %{x}: %{y:,} customers<extra></extra>',
    marker: { color: PRIMARY_COLOR },
  };
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: axis('Age at the latest transaction (years)', { dtick: 10 }),
    yaxis: countAxis('Customers'),
    bargap: 0.08,
    showlegend: false,
  };
  return makeFigure('age_distribution', title, [bars], layout);
}

const GENDER_LABELS: Readonly<Record<string, string>> = { F: 'Female', M: 'Male' };
const GENDER_COLORS: Readonly<Record<string, string>> = { F: '#B07AA1', M: PRIMARY_COLOR };

/** Customers by gender (the latest known one), unknown as its own slice. Cost: O(n). */
export function genderSplit(features: CustomerFeatures): Figure {
  const { counts, missing } = countCodes(features.gender);
  const order = features.gender.values.map((v, code) => ({ v, code })).sort((a, b) => (a.v < b.v ? -1 : 1));
  const names = [...order.map((e) => GENDER_LABELS[e.v] ?? e.v), 'Unknown'];
  const values = [...order.map((e) => counts[e.code]), missing];
  const colors = [...order.map((e) => GENDER_COLORS[e.v] ?? SECONDARY_COLOR), MUTED_COLOR];
  const title = 'Customers by gender';
  const subtitle = `${count(features.n)} customers, gender at their latest transaction with a known one`;
  return makeFigure('gender_split', title, [donut(names, values, colors, 'customers')], donutLayout(title, subtitle));
}

/**
 * A donut whose legend carries the counts, so slices too thin for a label are still read off the legend.
 * Shared with the segment-size chart.
 */
export function donut(names: readonly string[], values: readonly number[], colors: readonly string[], unit: string): Record<string, unknown> {
  const total = values.reduce((a, b) => a + b, 0);
  return {
    type: 'pie',
    labels: names.map((name, i) => `${name}: ${count(values[i])} (${pct(total > 0 ? values[i] / total : 0)})`),
    values: [...values],
    marker: { colors: [...colors], line: { color: '#FFFFFF', width: 2 } },
    hole: 0.45,
    sort: false,
    direction: 'clockwise',
    texttemplate: '%{percent:.1%}',
    textposition: 'inside',
    insidetextorientation: 'horizontal',
    textfont: { size: 17 },
    hovertemplate: `%{label} ${unit}<extra></extra>`,
    domain: { x: [0, 0.62], y: [0, 1] },
  };
}

/** Layout for `donut`: legend to the right of the ring, labels hidden when they would not fit. */
export function donutLayout(title: string, subtitle: string): Record<string, unknown> {
  return {
    ...baseLayout(title, subtitle),
    showlegend: true,
    legend: { font: { size: 16 }, x: 0.64, xanchor: 'left', y: 0.5, yanchor: 'middle' },
    uniformtext: { minsize: 13, mode: 'hide' },
  };
}

/** The `top` locations by number of transactions (horizontal bars, largest first). Cost: O(n + v log v). */
export function topLocations(clean: CleanTable, top = 15): Figure {
  const best = topValues(clean.location, top);
  const { counts, missing } = countCodes(clean.location);
  const distinct = counts.filter((c) => c > 0).length;
  const covered = best.reduce((a, e) => a + e.count, 0);
  const title = `Top ${best.length} locations`;
  const subtitle =
    `${pct(clean.rows > 0 ? covered / clean.rows : 0)} of ${count(clean.rows)} transactions ` +
    `happen in these ${best.length} of ${count(distinct)} locations; ${count(missing)} without a location`;
  const bars = {
    type: 'bar',
    orientation: 'h',
    y: best.map((e) => e.value),
    x: best.map((e) => e.count),
    text: best.map((e) => count(e.count)),
    textposition: 'outside',
    cliponaxis: false,
    hovertemplate: '%{y}: %{x:,} transactions<extra></extra>',
    marker: { color: PRIMARY_COLOR },
  };
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: countAxis('Transactions'),
    yaxis: axis('Customer location', { autorange: 'reversed', ticks: '' }),
    margin: { l: 80, r: 70, t: 105, b: 70 },
    bargap: 0.25,
    showlegend: false,
  };
  return makeFigure('top_locations', title, [bars], layout);
}

/** Hours bounding the time-of-day bins of the features (night, morning, afternoon, evening). */
const TIME_OF_DAY_START = [0, 6, 12, 18, 24];

/** Transactions per hour of day, with the four time-of-day bins shaded. Cost: O(n). */
export function transactionsByHour(clean: CleanTable): Figure {
  const counts = hourCounts(clean.time);
  const title = 'Transactions by hour of day';
  const peak = counts.indexOf(Math.max(...counts));
  const subtitle = `${count(clean.rows)} transactions; busiest hour ${peak}:00–${peak + 1}:00 (${count(counts[peak])})`;
  const bars = {
    type: 'bar',
    x: counts.map((_, h) => h),
    y: counts,
    hovertemplate: '%{x}:00–%{x}:59: %{y:,} transactions<extra></extra>',
    marker: { color: PRIMARY_COLOR },
  };
  const bands = TIME_OF_DAY.map((_, i) => ({
    type: 'rect',
    xref: 'x',
    yref: 'paper',
    x0: TIME_OF_DAY_START[i] - 0.5,
    x1: TIME_OF_DAY_START[i + 1] - 0.5,
    y0: 0,
    y1: 1,
    fillcolor: i % 2 === 0 ? '#F3F4F6' : '#FFFFFF',
    line: { width: 0 },
    layer: 'below',
  }));
  const bandLabels = TIME_OF_DAY.map((label, i) => ({
    xref: 'x',
    yref: 'paper',
    x: (TIME_OF_DAY_START[i] + TIME_OF_DAY_START[i + 1] - 1) / 2,
    y: 1,
    yanchor: 'bottom',
    text: `${label} (${TIME_OF_DAY_START[i]}–${TIME_OF_DAY_START[i + 1]} h)`,
    showarrow: false,
    font: { size: 14, color: '#5F6368' },
  }));
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: axis('Hour of day (0–23)', { dtick: 1, range: [-0.5, 23.5] }),
    yaxis: countAxis('Transactions'),
    margin: { l: 80, r: 40, t: 125, b: 70 },
    shapes: bands,
    annotations: bandLabels,
    bargap: 0.15,
    showlegend: false,
  };
  return makeFigure('transactions_by_hour', title, [bars], layout);
}

/** Transactions per calendar day, days without transactions shown as 0. Cost: O(n + days). */
export function transactionsByDate(clean: CleanTable): Figure {
  const { firstDay, counts } = dayCounts(clean.date);
  const days = counts.map((_, i) => isoDate(firstDay + i));
  const active = counts.filter((c) => c > 0).length;
  const title = 'Transactions by date';
  const subtitle =
    counts.length === 0
      ? 'no transactions'
      : `${days[0]} to ${days[days.length - 1]}: ${count(clean.rows)} transactions on ${active} of ${counts.length} days`;
  const bars = {
    type: 'bar',
    x: days,
    y: counts,
    hovertemplate: '%{x|%a %d %b %Y}: %{y:,} transactions<extra></extra>',
    marker: { color: PRIMARY_COLOR },
  };
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: axis('Transaction date', { type: 'date', tickformat: '%d %b<br>%Y' }),
    yaxis: countAxis('Transactions'),
    bargap: 0.15,
    showlegend: false,
  };
  return makeFigure('transactions_by_date', title, [bars], layout);
}

/**
 * Per source column of the raw file: missing values (empty or `nan`) and placeholders (`1/1/1800` birth
 * dates), as stacked horizontal bars with counts and shares of rows. Cost: O(n).
 */
export function missingValues(raw: TransactionTable): Figure {
  const gaps = columnGaps(raw);
  const rows = Math.max(raw.rows, 1);
  const shareOfRows = (n: number) => pct(n / rows, n > 0 && n / rows < 0.001 ? 2 : 1);
  // One label at the end of each bar (stacked bars cannot place both parts' labels outside).
  const labels = gaps.map((g) => {
    const parts: string[] = [];
    if (g.missing > 0) parts.push(`${count(g.missing)} missing`);
    if (g.placeholder > 0) parts.push(`${count(g.placeholder)} placeholder`);
    const total = g.missing + g.placeholder;
    return {
      xref: 'x',
      yref: 'y',
      x: total,
      y: g.column,
      xanchor: 'left',
      xshift: 6,
      showarrow: false,
      text: total === 0 ? 'none' : `${parts.join(' + ')} (${shareOfRows(total)})`,
      font: { size: 14, color: total === 0 ? '#9AA0A6' : '#2F3437' },
    };
  });
  const trace = (name: string, values: number[], color: string) => ({
    type: 'bar',
    orientation: 'h',
    name,
    y: gaps.map((g) => g.column),
    x: values,
    textposition: 'none',
    hovertemplate: `%{y}: %{x:,} rows ${name}<extra></extra>`,
    marker: { color },
  });
  const title = 'Missing and placeholder values per column';
  const malformed = raw.malformed.count;
  const subtitle =
    `${count(raw.rows)} transactions as read from ${baseName(raw.source)}` +
    (malformed > 0 ? `; ${count(malformed)} malformed rows skipped by the reader` : '; no malformed rows');
  const layout = {
    ...baseLayout(title, subtitle),
    barmode: 'stack',
    xaxis: countAxis(`Rows (of ${count(raw.rows)} transactions)`, { range: [0, 1.55 * Math.max(1, ...gaps.map((g) => g.missing + g.placeholder))] }),
    yaxis: axis('Source column', { autorange: 'reversed', ticks: '' }),
    annotations: labels,
    legend: { x: 0.98, xanchor: 'right', y: 0.02, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.9)' },
    bargap: 0.35,
  };
  return makeFigure(
    'missing_values',
    title,
    [
      trace('missing (empty or nan)', gaps.map((g) => g.missing), PRIMARY_COLOR),
      trace('placeholder (1/1/1800)', gaps.map((g) => g.placeholder), SECONDARY_COLOR),
    ],
    layout,
  );
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
