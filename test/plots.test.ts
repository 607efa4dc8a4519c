import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readTransactions } from '../src/collect/read';
import type { Figure } from '../src/visualize/figure';
import { pca2 } from '../src/stats/pca';
import {
  FIGURE_HEIGHT,
  FIGURE_WIDTH,
  amountDistribution,
  ageDistribution,
  balanceDistribution,
  boxStats,
  centroidProfile,
  columnGaps,
  dayCounts,
  decadeTicks,
  edaFigures,
  figureEntries,
  genderSplit,
  hourCounts,
  kSelection,
  linearHistogram,
  logHistogram,
  missingValues,
  moneyShare,
  segmentBoxPlots,
  segmentColor,
  segmentFigures,
  segmentMap,
  segmentShares,
  segmentSizes,
  topLocations,
  topValues,
  transactionsByDate,
  transactionsByHour,
} from '../src/visualize';
import { createRng } from '../src/stats/random';
import { isPlaceholderDob } from '../src/preprocess/clean';
import { NUMERIC_FEATURES } from '../src/preprocess/feature_registry';
import type { NamedSegmentation } from '../src/visualize/segments';
import { dayNumber } from '../src/table';
import { REAL_RAW } from './helpers/real-data';
import { LABELS, SWEEP, smallClean, smallFeatures, smallRaw, smallSegmentation } from './helpers/figure_input';

const REAL = REAL_RAW;

// ---------- generic checks on any figure ----------

/** Every number anywhere in the spec is finite (NaN/Infinity would be null or broken in JSON). */
function assertNoNaN(value: unknown, where: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where}: ${value}`);
  else if (ArrayBuffer.isView(value)) assert.fail(`${where}: typed array in a spec (JSON would make it an object)`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertNoNaN(v, `${where}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertNoNaN(v, `${where}.${k}`);
}

function axisTitles(fig: Figure): string[] {
  return Object.entries(fig.layout)
    .filter(([key]) => /^[xy]axis\d*$/.test(key))
    .map(([, ax]) => ((ax as { title?: { text?: string } }).title?.text ?? '').trim())
    .filter((t) => t.length > 0);
}

function layoutTitle(fig: Figure): string {
  return (fig.layout.title as { text: string }).text;
}

function trace(fig: Figure, i = 0): Record<string, any> {
  return fig.data[i] as Record<string, any>;
}

function checkFigure(fig: Figure): void {
  assert.match(fig.name, /^[a-z0-9_]+$/, 'file-safe name');
  assert.ok(fig.title.length > 0, `${fig.name}: title`);
  assert.equal(layoutTitle(fig), fig.title, `${fig.name}: layout.title.text (plotly 4 form) is the title`);
  assert.equal(fig.width, FIGURE_WIDTH);
  assert.equal(fig.height, FIGURE_HEIGHT);
  assertNoNaN(fig.data, `${fig.name}.data`);
  assertNoNaN(fig.layout, `${fig.name}.layout`);
  assert.ok(fig.data.length > 0, `${fig.name}: has traces`);
  const isPie = fig.data.every((t) => t.type === 'pie');
  if (!isPie) assert.ok(axisTitles(fig).length >= 1, `${fig.name}: axis titles`);
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

// ---------- aggregation ----------

describe('aggregation', () => {
  test('logHistogram: ten values, one bin per decade, zero and NaN counted apart', () => {
    const h = logHistogram(Float64Array.of(1, 2, 5, 10, 20, 50, 100, 999, 0, NaN), 1);
    assert.deepEqual(h.edges, [1, 10, 100, 1000]);
    assert.deepEqual(h.counts, [3, 3, 2]);
    assert.equal(h.outside, 1);
    assert.equal(h.missing, 1);
  });

  test('logHistogram: two bins per decade; an exact power of ten opens its bin; the maximum closes the last', () => {
    // Edges 1, 3.162, 10, 31.62, 100: [1, 3.16) ← 1, 3; [3.16, 10) ← 3.2, 9.99; [10, 31.6) ← 10; [31.6, 100] ← 31.7, 100.
    const h = logHistogram(Float64Array.of(1, 3, 3.2, 9.99, 10, 31.7, 100), 2);
    assert.equal(h.edges.length, 5);
    assert.ok(Math.abs(h.edges[1] - Math.sqrt(10)) < 1e-9 && Math.abs(h.edges[3] - Math.sqrt(1000)) < 1e-9);
    assert.deepEqual(h.counts, [2, 2, 1, 2]);
  });

  test('logHistogram agrees with a brute-force bin search on 5,000 log-normal values', () => {
    const rng = createRng(4);
    const values = Float64Array.from({ length: 5000 }, () => Math.exp(6 + 2.5 * rng.normal()));
    const h = logHistogram(values, 10);
    const brute = h.counts.map((_, b) => values.filter((v) => v >= h.edges[b] && (v < h.edges[b + 1] || (b === h.counts.length - 1 && v <= h.edges[b + 1]))).length);
    assert.deepEqual(h.counts, brute);
    assert.equal(sum(h.counts), 5000);
  });

  test('linearHistogram: ten ages in 10-year bins', () => {
    const h = linearHistogram(Float64Array.of(18, 19, 25, 25, 31, 40, 44, 44, 59, NaN), 10);
    assert.deepEqual(h.edges, [10, 20, 30, 40, 50, 60]);
    assert.deepEqual(h.counts, [2, 2, 1, 3, 1]);
    assert.equal(h.missing, 1);
  });

  test('hourCounts and dayCounts by hand', () => {
    const c = smallClean();
    const hours = hourCounts(c.time);
    const expected = new Array(24).fill(0);
    expected[0] = 2;
    expected[9] = 3;
    expected[12] = 1;
    expected[14] = 1;
    expected[20] = 2;
    expected[23] = 1;
    assert.deepEqual(hours, expected);
    const days = dayCounts(c.date);
    assert.equal(days.firstDay, dayNumber(2016, 8, 1));
    assert.deepEqual(days.counts, [3, 2, 0, 4, 1]);
  });

  test('topValues: by count, ties alphabetical, missing left out', () => {
    assert.deepEqual(topValues(smallClean().location, 3), [
      { value: 'MUMBAI', count: 4 },
      { value: 'DELHI', count: 2 },
      { value: 'PUNE', count: 2 },
    ]);
  });

  test('boxStats: type-7 quartiles and Tukey whiskers worked by hand', () => {
    // 1..9 and 100: q1 = x[2.25] = 3.25, median = x[4.5] = 5.5, q3 = x[6.75] = 7.75, IQR 4.5,
    // fences −3.5 and 14.5 → whiskers at 1 and 9 (100 is an outlier); mean 145 / 10.
    const s = boxStats(Float64Array.of(100, 9, 8, 7, 6, 5, 4, 3, 2, 1, NaN));
    assert.deepEqual(
      [s.n, s.min, s.q1, s.median, s.q3, s.max, s.lowerfence, s.upperfence, s.mean],
      [10, 1, 3.25, 5.5, 7.75, 100, 1, 9, 14.5],
    );
    // A low outlier: −8, 1..9 → q1 2.25, q3 6.75, IQR 4.5, lower bound −4.5 → the whisker stops at 1.
    const low = boxStats(Float64Array.of(-8, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    assert.deepEqual([low.q1, low.q3, low.lowerfence, low.upperfence, low.min], [2.25, 6.75, 1, 9, -8]);
  });

  test('boxStats on the log scale: whisker bounds q1·(q1/q3)^1.5 and q3·(q3/q1)^1.5', () => {
    // 1, 10, 100, 1000, 1e7: q1 = 10, q3 = 1000 → bounds 0.01 and 1e6 → whiskers 1 and 1000.
    const s = boxStats(Float64Array.of(1, 10, 100, 1000, 1e7), 'log');
    assert.deepEqual([s.q1, s.median, s.q3, s.lowerfence, s.upperfence], [10, 100, 1000, 1, 1000]);
    // On the linear scale the same data have whiskers 1 and 1000 too, but 1e7 would need q3 + 1.5·990 = 2485.
    const lin = boxStats(Float64Array.of(1, 10, 100, 1000, 2000), 'linear');
    assert.equal(lin.upperfence, 2000);
    assert.equal(boxStats(Float64Array.of(1, 10, 100, 1000, 2000), 'log').upperfence, 2000);
    assert.ok(Number.isNaN(boxStats(Float64Array.of(NaN)).median));
  });

  test('segmentShares by hand; each list sums to 1', () => {
    const shares = segmentShares(Int32Array.of(0, 1, 0, 2, 1), 3, Float64Array.of(10, 20, 30, 40, 0), Float64Array.of(100, NaN, 300, 0, 600));
    assert.deepEqual(shares.customers, [0.4, 0.4, 0.2]);
    assert.deepEqual(shares.money, [0.4, 0.2, 0.4]);
    assert.deepEqual(shares.balances, [0.4, 0.6, 0]);
    for (const list of [shares.customers, shares.money, shares.balances]) assert.ok(Math.abs(sum(list) - 1) < 1e-12);
  });

  test('columnGaps by hand: missing and 1800 placeholders in every date form', () => {
    const gaps = columnGaps(smallRaw());
    const by = Object.fromEntries(gaps.map((g) => [g.column, [g.missing, g.placeholder]]));
    assert.deepEqual(by, {
      TransactionID: [0, 0],
      CustomerID: [0, 0],
      CustomerDOB: [1, 3],
      CustGender: [2, 0],
      CustLocation: [1, 0],
      CustAccountBalance: [3, 0],
      TransactionDate: [0, 0],
      TransactionTime: [0, 0],
      'TransactionAmount (INR)': [0, 0],
    });
    assert.ok(isPlaceholderDob('1/1/1800') && isPlaceholderDob('01-01-1800') && isPlaceholderDob('1800-01-01'));
    assert.ok(!isPlaceholderDob('1/1/18') && !isPlaceholderDob('18/1/2000') && !isPlaceholderDob('11800'));
  });

  test('columnGaps on the real first 20,000 rows matches the published facts of those rows', async () => {
    const raw = await readTransactions(REAL);
    const by = Object.fromEntries(columnGaps(raw).map((g) => [g.column, [g.missing, g.placeholder]]));
    // ../shared/data/README.md, computed there with a plain CSV reader.
    assert.deepEqual(by.CustomerDOB, [72, 1290]);
    assert.deepEqual(by.CustGender, [11, 0]);
    assert.deepEqual(by.CustLocation, [1, 0]);
    assert.deepEqual(by.CustAccountBalance, [27, 0]);
    assert.deepEqual(by.TransactionID, [0, 0]);
  });

  test('decadeTicks: powers of ten covering the range, plain labels (never "10m")', () => {
    assert.deepEqual(decadeTicks(0.05, 2500), {
      tickvals: [0.01, 0.1, 1, 10, 100, 1000, 10000],
      ticktext: ['0.01', '0.1', '1', '10', '100', '1k', '10k'],
    });
  });
});

// ---------- EDA figures ----------

describe('EDA figures', () => {
  test('amountDistribution: bars cover the positive amounts; zero amounts named in the subtitle', () => {
    const fig = amountDistribution(smallClean());
    checkFigure(fig);
    const bars = trace(fig);
    assert.equal(sum(bars.y), 9); // ten amounts, one of them 0
    // Each bar spans [lo, hi) on the log axis: centre ± width/2 are consecutive edges.
    for (let i = 0; i + 1 < bars.x.length; i++) {
      const hi = bars.x[i] + bars.width[i] / 2;
      const nextLo = bars.x[i + 1] - bars.width[i + 1] / 2;
      assert.ok(Math.abs(hi - nextLo) < 1e-9 * hi);
    }
    assert.equal((fig.layout.xaxis as any).type, 'log');
    assert.match(axisTitles(fig)[0], /INR/);
    assert.match((fig.layout.title as any).subtitle.text, /1 transactions with amount 0/);
    assert.match((fig.layout.title as any).subtitle.text, /median 35 INR/); // (20 + 50) / 2
  });

  test('balanceDistribution counts customers; zero and unknown balances are reported, not drawn', () => {
    const f = smallFeatures();
    const fig = balanceDistribution(f);
    checkFigure(fig);
    assert.equal(sum(trace(fig).y), 6); // 8 customers − one NaN − one 0
    assert.match((fig.layout.title as any).subtitle.text, /1 customers with balance 0, 1 with no known balance/);
    assert.match(axisTitles(fig).join(' '), /INR/);
  });

  test('ageDistribution: one bar per year of age, unknown ages counted apart', () => {
    const fig = ageDistribution(smallFeatures());
    checkFigure(fig);
    const bars = trace(fig);
    const byAge = Object.fromEntries(bars.x.map((a: number, i: number) => [a, bars.y[i]]).filter(([, c]: number[]) => c > 0));
    assert.deepEqual(byAge, { 22: 1, 29: 1, 30: 1, 35: 1, 41: 1, 67: 1, 70: 1 });
    assert.match(axisTitles(fig).join(' '), /years/);
    assert.match((fig.layout.title as any).subtitle.text, /7 customers with a known age; median 35 years; 1 unknown/);
  });

  test('genderSplit: counts per gender plus unknown', () => {
    const fig = genderSplit(smallFeatures());
    checkFigure(fig);
    const pie = trace(fig);
    assert.deepEqual(pie.values, [4, 3, 1]); // F (sorted first), M, unknown
    assert.match(pie.labels[0], /^Female: 4 \(50\.0%\)/);
    assert.match(pie.labels[2], /^Unknown: 1/);
  });

  test('topLocations: most frequent first, with counts', () => {
    const fig = topLocations(smallClean(), 2);
    checkFigure(fig);
    assert.deepEqual(trace(fig).y, ['MUMBAI', 'DELHI']);
    assert.deepEqual(trace(fig).x, [4, 2]);
    assert.match((fig.layout.title as any).subtitle.text, /60\.0% of 10 transactions .* 2 of 4 locations; 1 without/);
  });

  test('transactionsByHour and transactionsByDate carry the hand counts', () => {
    const c = smallClean();
    const byHour = transactionsByHour(c);
    checkFigure(byHour);
    assert.equal(trace(byHour).y[9], 3);
    assert.equal(sum(trace(byHour).y), 10);
    const byDate = transactionsByDate(c);
    checkFigure(byDate);
    assert.deepEqual(trace(byDate).x, ['2016-08-01', '2016-08-02', '2016-08-03', '2016-08-04', '2016-08-05']);
    assert.deepEqual(trace(byDate).y, [3, 2, 0, 4, 1]);
  });

  test('missingValues: one bar pair per source column; malformed rows in the subtitle', () => {
    const fig = missingValues(smallRaw());
    checkFigure(fig);
    assert.equal(trace(fig, 0).y.length, 9);
    assert.deepEqual(trace(fig, 0).x, [0, 0, 1, 2, 1, 3, 0, 0, 0]);
    assert.deepEqual(trace(fig, 1).x, [0, 0, 3, 0, 0, 0, 0, 0, 0]);
    assert.match((fig.layout.title as any).subtitle.text, /6 transactions as read from bank_transactions\.csv; 2 malformed/);
    const dobLabel = (fig.layout.annotations as any[]).find((a) => a.y === 'CustomerDOB').text;
    assert.equal(dobLabel, '1 missing + 3 placeholder (66.7%)');
  });

  test('edaFigures: the registry\'s exploratory figures, valid, named as registered, in order', () => {
    const figs = edaFigures(smallRaw(), smallClean(), smallFeatures());
    assert.deepEqual(figs.map((f) => f.name), figureEntries('eda').map((f) => f.name));
    assert.equal(new Set(figs.map((f) => f.name)).size, figs.length);
    figs.forEach(checkFigure);
  });
});

// ---------- segment figures ----------

describe('segment figures', () => {
  const features = smallFeatures();
  const seg = smallSegmentation(features, LABELS, 3);

  test('kSelection: scores in k order, NaN as a gap, recommended k marked', () => {
    const fig = kSelection(SWEEP, { k: 3, reason: 'best silhouette' });
    checkFigure(fig);
    assert.deepEqual(trace(fig, 0).x, [2, 3, 4]);
    assert.deepEqual(trace(fig, 0).y, [100, 75, 60]);
    assert.deepEqual(trace(fig, 1).y, [0.42, 0.45, 0.31]);
    assert.deepEqual(trace(fig, 2).y, [0.9, null, 1.1]);
    const line = (fig.layout.shapes as any[])[0];
    assert.equal(line.x0, 3);
    assert.match((fig.layout.annotations as any[])[0].text, /recommended k = 3/);
    assert.deepEqual(trace(fig, 1).marker.size.map((s: number) => s > 9), [false, true, false]);
  });

  test('segmentSizes: customers per segment in the segment colours', () => {
    const fig = segmentSizes(seg);
    checkFigure(fig);
    assert.deepEqual(trace(fig).values, [3, 2, 3]);
    assert.deepEqual(trace(fig).marker.colors, [segmentColor(0), segmentColor(1), segmentColor(2)]);
    assert.match(trace(fig).labels[1], /^Occasional: 2 \(25\.0%\)/);
  });

  test('segmentBoxPlots: precomputed quartiles per segment in original units, by hand', () => {
    const fig = segmentBoxPlots(features, seg);
    checkFigure(fig);
    const boxes = fig.data as Record<string, any>[];
    assert.ok(boxes.every((b) => b.type === 'box' && b.boxpoints === false && !('y' in b)), 'no raw points');
    const ageBox = (segment: string) => boxes.find((b) => b.name === segment && b.yaxis === 'y6')!;
    // Segment 0 = customers A, C, G: ages 30, NaN, 35 → q1 31.25, median 32.5, q3 33.75.
    assert.deepEqual([ageBox('Loyal high spenders').q1[0], ageBox('Loyal high spenders').median[0], ageBox('Loyal high spenders').q3[0]], [31.25, 32.5, 33.75]);
    // Segment 2 = D, E, F: ages 22, 67, 70 → q1 44.5, median 67, q3 68.5; whiskers 22 and 70 (bounds 8.5, 104.5).
    const s2 = ageBox('Lapsed seniors');
    assert.deepEqual([s2.q1[0], s2.median[0], s2.q3[0], s2.lowerfence[0], s2.upperfence[0]], [44.5, 67, 68.5, 22, 70]);
    // Money on a log axis: segment 2's total amounts 20, 10, 0 → q1 5, median 10, q3 15; the whisker that
    // would reach 0 stops at the smallest positive amount, 10.
    const money = boxes.find((b) => b.name === 'Lapsed seniors' && b.yaxis === 'y3')!;
    assert.deepEqual([money.q1[0], money.median[0], money.q3[0], money.lowerfence[0]], [5, 10, 15, 10]);
    assert.equal((fig.layout.yaxis3 as any).type, 'log');
    assert.equal(boxes.filter((b) => b.showlegend).length, 3, 'one legend entry per segment');
    assert.ok(boxes.every((b) => b.marker.color === segmentColor(['Loyal high spenders', 'Occasional', 'Lapsed seniors'].indexOf(b.name))));
    // One panel per numeric feature of the registry, the first six titled by hand.
    assert.equal(axisTitles(fig).length, NUMERIC_FEATURES.length);
    assert.deepEqual(axisTitles(fig).slice(0, 6), ['days', 'transactions', 'INR', 'INR', 'INR', 'years']);
  });

  test('moneyShare: shares of customers, money and balances per segment, by hand', () => {
    const fig = moneyShare(features, seg);
    checkFigure(fig);
    // Money: seg0 300+150+800 = 1250, seg1 50+70 = 120, seg2 20+10+0 = 30, total 1400.
    // Balances (NaN left out): seg0 1000+3000+20000 = 24000, seg1 1250, seg2 500+0+250 = 750, total 26000.
    const expected = [
      [3 / 8, 1250 / 1400, 24000 / 26000],
      [2 / 8, 120 / 1400, 1250 / 26000],
      [3 / 8, 30 / 1400, 750 / 26000],
    ];
    expected.forEach((row, id) => row.forEach((share, j) => assert.ok(Math.abs(trace(fig, id).y[j] - 100 * share) < 0.01)));
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(sum([0, 1, 2].map((id) => trace(fig, id).y[j])) - 100) < 0.05);
    assert.match(axisTitles(fig).join(' '), /%/);
  });

  test('centroidProfile: one line per segment through the centroids in z space', () => {
    const fig = centroidProfile(seg);
    checkFigure(fig);
    assert.equal(fig.data.length, 3);
    const meanAge2 = ((22 - 40) / 15 + (67 - 40) / 15 + (70 - 40) / 15) / 3;
    assert.ok(Math.abs(trace(fig, 2).y[1] - meanAge2) < 1e-3);
    assert.match(trace(fig, 0).x[0], /Total amount.*log1p/);
  });

  test('segmentMap: every customer when n is small; centroids sit at the mean of their members’ projections', () => {
    const fig = segmentMap(seg);
    checkFigure(fig);
    const points = fig.data.slice(0, 3) as Record<string, any>[];
    assert.deepEqual(points.map((p) => p.x.length), [3, 2, 3]);
    const centroids = trace(fig, 3);
    // Projection is linear, so the projection of a member mean is the mean of the members' projections.
    const pca = pca2(seg.space.X, seg.space.n, 2);
    for (let g = 0; g < 3; g++) {
      const members = [...LABELS.keys()].filter((i) => LABELS[i] === g).map((i) => pca.project(seg.space.X.subarray(i * 2, i * 2 + 2)));
      const mx = sum(members.map((m) => m[0])) / members.length;
      assert.ok(Math.abs(centroids.x[g] - mx) < 1e-3 * Math.max(1, Math.abs(mx)));
    }
    assert.match(axisTitles(fig)[0], /PC1 \(\d+% of variance/);
  });

  test('segmentMap: at most 5,000 points, a seeded sample (same seed, same points)', () => {
    const n = 12000;
    const rng = createRng(9);
    const X = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const labels = Int32Array.from({ length: n }, (_, i) => (X[i * 2] > 0 ? 1 : 0));
    const big: NamedSegmentation = {
      ...seg,
      k: 2,
      space: { ...seg.space, n, X },
      fit: { ...seg.fit, k: 2, labels, centroids: Float64Array.of(-0.8, 0, 0.8, 0) },
      segments: seg.segments!.slice(0, 2),
    };
    const a = segmentMap(big, { seed: 1 });
    const b = segmentMap(big, { seed: 1 });
    const c = segmentMap(big, { seed: 2 });
    const count = (f: Figure) => sum(f.data.slice(0, 2).map((t) => (t.x as number[]).length));
    assert.equal(count(a), 5000);
    assert.deepEqual(a.data, b.data);
    assert.notDeepEqual(a.data[0].x, c.data[0].x);
    assert.equal(count(segmentMap(big, { sample: 300 })), 300);
  });

  test('segmentFigures: the registry\'s segment figures, valid; a segment has one colour in all of them', () => {
    const figs = segmentFigures(features, seg);
    assert.deepEqual(figs.map((f) => f.name), figureEntries('segments').map((f) => f.name));
    figs.forEach(checkFigure);
    const colourOf = (fig: Figure, name: string) =>
      fig.data.filter((t) => t.name === name).map((t) => (t.marker as { color: string }).color);
    for (const fig of figs.filter((f) => ['segments_pca', 'centroid_profile', 'money_share'].includes(f.name))) {
      assert.deepEqual(colourOf(fig, 'Occasional'), [segmentColor(1)], fig.name);
    }
  });

  test('no figure spec grows with the data: 20,000 real rows give small specs', async () => {
    const raw = await readTransactions(REAL);
    const { cleanTransactions } = await import('../src/preprocess/clean');
    const { customerFeatures } = await import('../src/preprocess/features');
    const { table: clean } = cleanTransactions(raw);
    const f = customerFeatures(clean);
    for (const fig of edaFigures(raw, clean, f)) {
      checkFigure(fig);
      assert.ok(JSON.stringify(fig).length < 40_000, `${fig.name}: ${JSON.stringify(fig).length} bytes`);
    }
    // The amount histogram holds every transaction with a positive amount exactly once.
    const positive = Array.from(clean.amount).filter((v) => v > 0).length;
    assert.equal(sum(trace(amountDistribution(clean)).y), positive);
  });
});
