/**
 * Figures of a segmentation: choosing k, where the segments lie, how big they are, what sets them apart
 * and how much of the money each holds. Segment `id` has the colour `segmentColor(id)` in all of them.
 */
import { DEFAULT_SEED } from '../config';
import type { Figure } from './figure';
import { pca2 } from '../stats/pca';
import { createRng, sampleIndices } from '../stats/random';
import type { KScore, Segmentation } from '../segment/types';
import { kChoice } from '../segment/k_choice';
import type { KRecommendation } from '../segment/k_choice';
import { CustomerFeatures, FEATURES, NUMERIC_FEATURES, NumberFeatureSpec, NumericFeature, featureSpec } from '../preprocess/feature_registry';
import { boxStats, segmentShares, splitByLabel } from '../explore/aggregate';
import { donut, donutLayout } from './eda';
import {
  PRIMARY_COLOR,
  SECONDARY_COLOR,
  axis,
  baseLayout,
  countAxis,
  finiteOrNull,
  logAxis,
  makeFigure,
  segmentColor,
} from './theme';
import { count, pct } from '../format';

/**
 * A segmentation, with the names of its segments when they are known (src/insights/ derives them; figures only
 * read them, so a figure can be drawn before or without the interpretation).
 */
export type NamedSegmentation = Segmentation & { readonly segments?: readonly { readonly id: number; readonly name: string }[] };

/** Segment names by id 0..k-1 (from the profiles; `Segment i+1` when a profile is missing). */
export function segmentNames(seg: NamedSegmentation): string[] {
  return Array.from({ length: seg.k }, (_, id) => seg.segments?.find((s) => s.id === id)?.name ?? `Segment ${id + 1}`);
}

/** The k in use, when it is not the recommended one (dark: it is the one the other figures show). */
const IN_USE_COLOR = '#2F3437';

/**
 * Elbow (inertia), silhouette and Davies–Bouldin index against k, stacked with a shared k axis; the
 * recommended k is marked with a dashed line, and the k in use (`inUse`, default the recommended one), when it is
 * another, with a solid one; the subtitle says which is which (`kChoice`). Cost: O(number of k).
 */
export function kSelection(kSweep: readonly KScore[], recommended: KRecommendation, inUse: number = recommended.k): Figure {
  const scores = [...kSweep].sort((a, b) => a.k - b.k);
  const ks = scores.map((s) => s.k);
  const rows: { key: 'inertia' | 'silhouette' | 'daviesBouldin'; title: string; axis: string }[] = [
    { key: 'inertia', title: 'Inertia<br>(sum of sq. z dist.)', axis: 'y' },
    { key: 'silhouette', title: 'Silhouette<br>(higher = better)', axis: 'y2' },
    { key: 'daviesBouldin', title: 'Davies–Bouldin<br>(lower = better)', axis: 'y3' },
  ];
  const data = rows.map((row) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: row.title.replace('<br>', ' '),
    x: ks,
    y: scores.map((s) => finiteOrNull(s[row.key])),
    yaxis: row.axis,
    line: { color: PRIMARY_COLOR, width: 3 },
    marker: {
      size: ks.map((k) => (k === recommended.k || k === inUse ? 15 : 9)),
      color: ks.map((k) => (k === inUse && k !== recommended.k ? IN_USE_COLOR : k === recommended.k ? SECONDARY_COLOR : PRIMARY_COLOR)),
      line: { color: '#FFFFFF', width: 1.5 },
    },
    hovertemplate: `k = %{x}: %{y:.4~g}<extra>${row.title.replace('<br>', ' ')}</extra>`,
  }));
  const domains = [
    [0.7, 1],
    [0.36, 0.64],
    [0, 0.3],
  ];
  const title = 'Choosing the number of segments k';
  const subtitle = wrap(kChoice(inUse, recommended, 'text'), 115, 3);
  const marker = (k: number, label: string, color: string, textColor: string, dash: string, xanchor: string, xshift: number) => ({
    shape: { type: 'line', xref: 'x', yref: 'paper', x0: k, x1: k, y0: 0, y1: 1, line: { color, width: 2.5, dash }, layer: 'below' },
    annotation: { xref: 'x', yref: 'paper', x: k, y: 1, yanchor: 'bottom', xanchor, xshift, text: `<b>${label} k = ${k}</b>`, showarrow: false, font: { size: 14, color: textColor } },
  });
  // The in-use label goes on the side away from the recommended one, so the two never overlap.
  const inUseRight = inUse > recommended.k;
  const marks = [marker(recommended.k, 'recommended', SECONDARY_COLOR, '#B85F10', 'dash', inUseRight ? 'right' : 'left', inUseRight ? -4 : 4)];
  if (inUse !== recommended.k) marks.push(marker(inUse, 'in use', IN_USE_COLOR, IN_USE_COLOR, 'solid', inUseRight ? 'left' : 'right', inUseRight ? 4 : -4));
  const layout: Record<string, unknown> = {
    ...baseLayout(title, subtitle),
    xaxis: axis('Number of segments k', { dtick: 1, anchor: 'y3' }),
    showlegend: false,
    margin: { l: 90, r: 40, t: 120 + 20 * (subtitle.split('<br>').length - 1), b: 70 },
    shapes: marks.map((m) => m.shape),
    annotations: marks.map((m) => m.annotation),
  };
  rows.forEach((row, i) => {
    const key = i === 0 ? 'yaxis' : `yaxis${i + 1}`;
    layout[key] = axis(row.title, { domain: domains[i], anchor: 'x', tickformat: i === 0 ? '~s' : '.2f', title: { text: row.title, font: { size: 14 } } });
  });
  return makeFigure('k_selection', title, data, layout);
}

export interface SegmentMapOptions {
  /** Customers drawn (a seeded uniform sample); default 5,000. */
  readonly sample?: number;
  readonly seed?: number;
}

/**
 * Customers on the first two principal components of the model space, coloured by segment (a seeded
 * sample of at most `sample` points), with the centroids labelled. Cost: O(n·d²) for the PCA.
 */
export function segmentMap(seg: NamedSegmentation, opts: SegmentMapOptions = {}): Figure {
  const { X, n, d } = seg.space;
  const pca = pca2(X, n, d);
  const rows = sampleIndices(n, Math.min(opts.sample ?? 5000, n), createRng(opts.seed ?? DEFAULT_SEED));
  const names = segmentNames(seg);
  const xs = names.map(() => [] as number[]);
  const ys = names.map(() => [] as number[]);
  for (const i of rows) {
    const [a, b] = pca.project(X.subarray(i * d, (i + 1) * d));
    const g = seg.fit.labels[i];
    xs[g].push(round(a));
    ys[g].push(round(b));
  }
  const points = names.map((name, id) => ({
    type: 'scatter',
    mode: 'markers',
    name,
    legendgroup: name,
    x: xs[id],
    y: ys[id],
    marker: { color: segmentColor(id), size: 6, opacity: 0.55, line: { width: 0 } },
    hovertemplate: `${name}<br>PC1 %{x:.2f}, PC2 %{y:.2f}<extra></extra>`,
  }));
  const centres = names.map((_, id) => pca.project(seg.fit.centroids.subarray(id * d, (id + 1) * d)));
  const centroids = {
    type: 'scatter',
    mode: 'markers',
    name: 'centroids',
    x: centres.map((c) => round(c[0])),
    y: centres.map((c) => round(c[1])),
    marker: {
      symbol: 'diamond',
      size: 20,
      opacity: 1,
      color: names.map((_, id) => segmentColor(id)),
      line: { color: '#1F2326', width: 2 },
    },
    hovertext: names,
    hovertemplate: 'centroid of %{hovertext}<extra></extra>',
  };
  const offsets = labelOffsets(centres, names, [xs.flat(), ys.flat()]);
  const labels = names.map((name, id) => ({
    x: centres[id][0],
    y: centres[id][1],
    text: `<b>${name}</b>`,
    showarrow: true,
    arrowcolor: '#1F2326',
    arrowwidth: 1.5,
    arrowhead: 0,
    standoff: 11,
    ax: offsets[id][0],
    ay: offsets[id][1],
    bgcolor: 'rgba(255,255,255,0.88)',
    bordercolor: segmentColor(id),
    borderwidth: 2,
    borderpad: 3,
    font: { size: 14 },
  }));
  const [r1, r2] = pca.explainedRatio;
  const title = 'Segments on the two main directions of the model space';
  const subtitle =
    `${count(rows.length)} of ${count(n)} customers (seeded sample) and the ${seg.k} centroids (◆); ` +
    `PCA of the ${d} standardised features, ${pct(r1 + r2, 0)} of their variance shown`;
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: axis(`PC1 (${pct(r1, 0)} of variance, z units)`, { zeroline: false }),
    yaxis: axis(`PC2 (${pct(r2, 0)} of variance, z units)`, { zeroline: false }),
    legend: { itemsizing: 'constant', font: { size: 14 }, bgcolor: 'rgba(255,255,255,0.85)' },
    annotations: labels,
  };
  return makeFigure('segments_pca', title, [...points, centroids], layout);
}

/** Approximate pixel size of the plot area of a segment map (figure minus margins and legend). */
const MAP_PLOT_PX = { width: 760, height: 470 };
const LABEL_CANDIDATES: readonly [number, number][] = [
  [0, -44],
  [0, 44],
  [0, -86],
  [0, 86],
  [-120, -30],
  [120, -30],
  [-120, 30],
  [120, 30],
  [0, -128],
  [0, 128],
];

/**
 * Arrow offsets (pixels) for the centroid labels: for each centroid in turn, the first candidate
 * position whose label box overlaps neither an earlier label nor a centroid. A heuristic on the
 * approximate plot size; it only decides where text goes, never what the data say. Cost: O(k²).
 */
function labelOffsets(centres: [number, number][], names: readonly string[], points: [number[], number[]]): [number, number][] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  const extend = (x: number, y: number) => {
    [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  };
  points[0].forEach((x, i) => extend(x, points[1][i]));
  centres.forEach(([x, y]) => extend(x, y));
  const px = (c: [number, number]): [number, number] => [
    ((c[0] - x0) / (x1 - x0 || 1)) * MAP_PLOT_PX.width,
    (1 - (c[1] - y0) / (y1 - y0 || 1)) * MAP_PLOT_PX.height,
  ];
  const centrePx = centres.map(px);
  const boxes: { l: number; r: number; t: number; b: number }[] = centrePx.map(([x, y]) => ({ l: x - 12, r: x + 12, t: y - 12, b: y + 12 }));
  return centrePx.map(([x, y], id) => {
    const halfW = (names[id].length * 9 + 16) / 2;
    const halfH = 15;
    for (const [ax, ay] of LABEL_CANDIDATES) {
      const box = { l: x + ax - halfW, r: x + ax + halfW, t: y + ay - halfH, b: y + ay + halfH };
      const clash = boxes.some((o) => box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b);
      if (!clash) {
        boxes.push(box);
        return [ax, ay];
      }
    }
    return [0, -44];
  });
}

/** Customers per segment as a donut, counts and shares in the legend. Cost: O(n). */
export function segmentSizes(seg: NamedSegmentation): Figure {
  const names = segmentNames(seg);
  const counts = new Array<number>(seg.k).fill(0);
  for (const g of seg.fit.labels) counts[g]++;
  const title = 'Segment sizes';
  const subtitle = `${count(seg.fit.labels.length)} customers in ${seg.k} segments`;
  const colors = names.map((_, id) => segmentColor(id));
  return makeFigure('segment_sizes', title, [donut(names, counts, colors, 'customers')], donutLayout(title, subtitle));
}

/**
 * One box plot per feature (original units), one box per segment: quartiles and Tukey whiskers are
 * computed here and passed as precomputed box traces (no raw points in the spec). Money features use a
 * log axis. Cost: O(n log n) per feature (the sorts).
 */
export function segmentBoxPlots(features: CustomerFeatures, seg: NamedSegmentation, featureList: readonly NumericFeature[] = NUMERIC_FEATURES): Figure {
  const names = segmentNames(seg);
  const cols = 3;
  const nRows = Math.ceil(featureList.length / cols);
  const gapX = 0.07;
  const gapY = 0.16;
  const cellW = (1 - gapX * (cols - 1)) / cols;
  const cellH = (1 - gapY * (nRows - 1)) / nRows;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    ...baseLayout(
      'What the segments look like, feature by feature',
      'Box: quartiles, line: median, dotted: mean; whiskers: furthest customers within 1.5 IQR (on the log scale for money)',
    ),
    showlegend: true,
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.04, yanchor: 'top', font: { size: 14 } },
    margin: { l: 70, r: 30, t: 135, b: 60 },
    boxgap: 0.25,
  };
  const annotations: Record<string, unknown>[] = [];
  featureList.forEach((feature, f) => {
    const col = f % cols;
    const row = Math.floor(f / cols);
    const suffix = f === 0 ? '' : String(f + 1);
    const x0 = col * (cellW + gapX);
    const y1 = 1 - row * (cellH + gapY);
    const groups = splitByLabel(features[feature], seg.fit.labels, seg.k);
    // Money features are drawn on log axes: their spread covers several powers of ten.
    const isMoney = FEATURES[feature].money;
    let lo = Infinity;
    let hi = -Infinity;
    groups.forEach((values, id) => {
      const s = boxStats(values, isMoney ? 'log' : 'linear');
      if (s.n === 0) return;
      // A log axis has no 0: a whisker that reaches 0 stops at the smallest positive value instead.
      let lowerfence = s.lowerfence;
      if (isMoney && lowerfence <= 0) lowerfence = smallestPositive(values, s.lowerfence);
      lo = Math.min(lo, lowerfence);
      hi = Math.max(hi, s.upperfence);
      data.push({
        type: 'box',
        name: names[id],
        legendgroup: names[id],
        showlegend: f === 0,
        x: [names[id]],
        q1: [s.q1],
        median: [s.median],
        q3: [s.q3],
        lowerfence: [lowerfence],
        upperfence: [s.upperfence],
        mean: [s.mean],
        boxpoints: false,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        marker: { color: segmentColor(id) },
        line: { width: 2 },
        fillcolor: hexWithAlpha(segmentColor(id), 0.35),
      });
    });
    const spec: NumberFeatureSpec = FEATURES[feature];
    const { label, unit } = spec;
    const yTitle = spec.axisUnit ?? unit;
    layout[`xaxis${suffix}`] = axis('', {
      domain: [x0, x0 + cellW],
      anchor: `y${suffix}`,
      showticklabels: false,
      ticks: '',
      title: undefined,
    });
    const place = { domain: [y1 - cellH, y1], anchor: `x${suffix}` };
    layout[`yaxis${suffix}`] = isMoney
      ? logAxis(yTitle, lo > 0 && hi >= lo ? [lo, hi] : undefined, place)
      : countAxis(yTitle, place);
    annotations.push({
      xref: 'paper',
      yref: 'paper',
      x: x0 + cellW / 2,
      y: y1 + 0.01,
      xanchor: 'center',
      yanchor: 'bottom',
      text: `<b>${label}</b> (${unit}${isMoney ? ', log' : ''})`,
      showarrow: false,
      font: { size: 15 },
    });
  });
  layout.annotations = annotations;
  return makeFigure('segment_features', 'What the segments look like, feature by feature', data, layout);
}

function smallestPositive(values: Float64Array, fallback: number): number {
  let best = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > 0 && values[i] < best) best = values[i];
  return best === Infinity ? fallback : best;
}

/**
 * The centroids in z space, one line per segment across the model's features (parallel coordinates on
 * one shared scale): how many standard deviations each segment's centre sits from the average customer.
 * Cost: O(k·d).
 */
export function centroidProfile(seg: NamedSegmentation): Figure {
  const names = segmentNames(seg);
  const { features, logged, d } = seg.space;
  const ticks = features.map((f) => `${featureSpec(f).label}${logged.includes(f) ? '<br>(log1p)' : ''}`);
  const data = names.map((name, id) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: ticks,
    y: Array.from(seg.fit.centroids.subarray(id * d, (id + 1) * d), (v) => finiteOrNull(round(v))),
    line: { color: segmentColor(id), width: 3 },
    marker: { color: segmentColor(id), size: 11 },
    hovertemplate: `${name}: %{y:+.2f} SD<extra></extra>`,
  }));
  const title = 'Segment centroids: how far each segment sits from the average customer';
  const subtitle = 'Centroid of each segment in the model space (standardised features; money features log1p first)';
  const layout = {
    ...baseLayout(title, subtitle),
    xaxis: axis('Model feature', { ticks: '', showgrid: true }),
    yaxis: axis('Centroid (standard deviations from the mean)', { zeroline: true, zerolinewidth: 2, zerolinecolor: '#7D848B' }),
    legend: { font: { size: 14 } },
  };
  return makeFigure('centroid_profile', title, data, layout);
}

/**
 * Per segment: its share of customers, of money moved (sum of the customers' transaction amounts) and of
 * balances held (sum of known latest balances), as grouped bars in per cent. Cost: O(n).
 */
export function moneyShare(features: CustomerFeatures, seg: NamedSegmentation): Figure {
  const names = segmentNames(seg);
  const shares = segmentShares(seg.fit.labels, seg.k, features.monetaryTotal, features.balance);
  const categories = ['Customers', 'Money moved (INR)', 'Balances held (INR)'];
  const data = names.map((name, id) => {
    const y = [shares.customers[id], shares.money[id], shares.balances[id]].map((s) => round(100 * s));
    return {
      type: 'bar',
      name,
      x: categories,
      y,
      text: y.map((v) => `${v.toFixed(v < 10 ? 1 : 0)}%`),
      textposition: 'outside',
      cliponaxis: false,
      marker: { color: segmentColor(id) },
      hovertemplate: `${name}: %{y:.1f}% of %{x}<extra></extra>`,
    };
  });
  const title = 'Who holds the money: share of customers, money moved and balances by segment';
  const subtitle = 'Each colour adds up to 100% across segments within a group';
  const layout = {
    ...baseLayout(title, subtitle),
    barmode: 'group',
    bargap: 0.2,
    bargroupgap: 0.05,
    xaxis: axis('', { ticks: '', tickfont: { size: 16 }, title: undefined }),
    yaxis: axis('Share of the total (%)', { rangemode: 'tozero', ticksuffix: '%' }),
    legend: { font: { size: 14 } },
  };
  return makeFigure('money_share', title, data, layout);
}

/** Four significant digits are plenty on a chart and keep the spec small. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}

function hexWithAlpha(hex: string, alpha: number): string {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
}

/** Breaks `text` at spaces into at most `maxLines` lines of about `width` characters (`<br>`), ellipsis if cut. */
function wrap(text: string, width: number, maxLines: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] += ' …';
  }
  return lines.join('<br>');
}
