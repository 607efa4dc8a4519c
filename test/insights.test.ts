/**
 * Segment profiles, names, actions and the insights report: rules checked on hand-made lifts, profiles checked
 * against brute-force recomputation on the real rows, and the report checked for its numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nameSegments, segmentName } from '../src/insights/naming';
import { actionKind, recommendAction } from '../src/insights/actions';
import type { ProfiledSegmentation, SegmentFacts } from '../src/insights/types';
import { profileSegmentation, profileSegments } from '../src/insights/profile';
import { renderInsights, writeInsightsReport } from '../src/insights/report';
import { segmentCustomers } from '../src/segment';
import { loadData } from '../src/preprocess/load';
import { NUMERIC_FEATURES } from '../src/preprocess/feature_registry';
import type { QualityReport } from '../src/table';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { featuresOf } from './helpers/segment';
import { everyNumeric } from './helpers/features';
import { REAL_RAW } from './helpers/real-data';

const REAL = REAL_RAW;

test('names come from the profile by rules', () => {
  assert.equal(segmentName({ balance: 1.2, monetaryTotal: -0.2, age: 0.1 }), 'affluent savers');
  assert.equal(segmentName({ age: -0.9, frequency: 1.5, monetaryTotal: 0.3 }), 'young frequent spenders');
  assert.equal(segmentName({ recencyDays: 1.1, monetaryMean: -0.7, monetaryTotal: -0.6 }), 'lapsed small-ticket customers');
  assert.equal(segmentName({ monetaryTotal: 1.4, balance: 0.9, age: 0.6 }), 'affluent big-ticket spenders'); // two strongest
  assert.equal(segmentName({ age: 0.3, balance: -0.2 }), 'mainstream customers');
  assert.equal(segmentName({}), 'mainstream customers');
});

test('names are unique: clashing segments get their next trait, identical ones a number', () => {
  const names = nameSegments([
    { lift: { balance: 1.0, age: 0.3 } },
    { lift: { balance: 1.1, age: -0.3 } },
    { lift: { recencyDays: 0.9 } },
    { lift: { recencyDays: 0.9 } },
  ]);
  assert.deepEqual(names, ['senior affluent savers', 'young affluent savers', 'lapsed customers 1', 'lapsed customers 2']);
});

const facts = (over: Partial<SegmentFacts>): SegmentFacts => ({
  id: 0,
  size: 1000,
  share: 0.1,
  monetaryShare: 0.1,
  balanceShare: 0.1,
  profile: { ...everyNumeric(NaN), recencyDays: 40, frequency: 1, monetaryTotal: 500, monetaryMean: 500, balance: 20000, age: 35 },
  lift: {},
  ...over,
});

test('actions follow the rules in order and carry the numbers', () => {
  assert.equal(actionKind(facts({ lift: { recencyDays: 0.8 }, balanceShare: 0.2 })), 'win-back');
  assert.equal(actionKind(facts({ lift: { recencyDays: 0.8 } })), 'reactivation');
  assert.equal(actionKind(facts({ monetaryShare: 0.16 })), 'retention'); // 1.6× its weight
  assert.equal(actionKind(facts({ lift: { balance: 0.7 } })), 'upsell');
  assert.equal(actionKind(facts({ lift: { frequency: 2 } })), 'cross-sell');
  assert.equal(actionKind(facts({ lift: { age: -0.6 } })), 'growth');
  assert.equal(actionKind(facts({ lift: { age: 0.6 } })), 'deepen');
  assert.equal(actionKind(facts({ lift: { monetaryMean: -0.6 } })), 'share of wallet');
  assert.equal(actionKind(facts({ lift: { balance: -0.6 } })), 'savings nudge');
  assert.equal(actionKind(facts({ lift: { recencyDays: -0.6 } })), 'engage');
  assert.equal(actionKind(facts({ lift: { frequency: 3, monetaryTotal: 0.7 }, monetaryShare: 0.2 })), 'cross-sell'); // habit first
  assert.equal(actionKind(facts({ lift: { frequency: 0.6, monetaryTotal: 0.9 } })), 'retention');
  assert.equal(actionKind(facts({})), 'nurture');
  const text = recommendAction(facts({ size: 12345, share: 0.125, monetaryShare: 0.4, balanceShare: 0.2 }));
  assert.match(text, /^Retention: 12,345 customers \(12\.5%\) move 40\.0% of the money and hold 20\.0% of balances/);
  assert.match(recommendAction(facts({ lift: { recencyDays: 0.8 } })), /idle a median 40 days/);
});

let real: { features: CustomerFeatures; quality: QualityReport; seg: ProfiledSegmentation } | undefined;
async function realSegmentation() {
  if (!real) {
    const { features, quality } = await loadData({ input: REAL });
    const seg = profileSegmentation(features, segmentCustomers(features, { kMin: 2, kMax: 5, nInit: 2, silhouetteSampleSize: 1500, seed: 7 }));
    real = { features, quality, seg };
  }
  return real;
}

test('profiles on the real rows equal a brute-force recomputation', async () => {
  const { features, seg } = await realSegmentation();
  const { space, fit, segments } = seg;
  assert.equal(segments.length, seg.k);
  assert.equal(segments.reduce((s, p) => s + p.size, 0), features.n);
  // Segments are numbered by size, largest first.
  for (let c = 1; c < segments.length; c++) assert.ok(segments[c].size <= segments[c - 1].size);
  const median = (xs: number[]) => {
    const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    if (s.length === 0) return NaN;
    const h = (s.length - 1) / 2;
    return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
  };
  const all = Array.from({ length: features.n }, (_, i) => i);
  const moneyAll = all.reduce((s, i) => s + features.monetaryTotal[i], 0);
  const balanceAll = all.reduce((s, i) => s + (Number.isNaN(features.balance[i]) ? 0 : features.balance[i]), 0);
  for (const p of segments) {
    const members = all.filter((i) => fit.labels[i] === p.id);
    assert.equal(p.size, members.length);
    assert.ok(Math.abs(p.share - members.length / features.n) < 1e-12);
    assert.ok(Math.abs(p.monetaryShare - members.reduce((s, i) => s + features.monetaryTotal[i], 0) / moneyAll) < 1e-9);
    const bal = members.reduce((s, i) => s + (Number.isNaN(features.balance[i]) ? 0 : features.balance[i]), 0);
    assert.ok(Math.abs(p.balanceShare - bal / balanceAll) < 1e-9);
    for (const f of NUMERIC_FEATURES) {
      const expected = median(members.map((i) => features[f][i]));
      assert.ok(Object.is(p.profile[f], expected) || Math.abs(p.profile[f] - expected) < 1e-9, `${f}: ${p.profile[f]} vs ${expected}`);
    }
    // Lift of a model feature: mean z of the members minus everyone's mean z (0 up to rounding).
    space.features.forEach((f, j) => {
      const mean = members.reduce((s, i) => s + space.X[i * space.d + j], 0) / members.length;
      assert.ok(Math.abs((p.lift[f] as number) - mean) < 1e-9, `lift ${f}`);
    });
    assert.ok(p.name.length > 0 && p.action.length > 0);
  }
  assert.equal(new Set(segments.map((p) => p.name)).size, segments.length, 'names are unique');
});

test('lift of a feature left out of the model is its standardized difference on known values', async () => {
  const { features } = await realSegmentation();
  const space = (await import('../src/segment/space')).buildModelSpace(features, { features: ['recencyDays', 'monetaryTotal'] });
  const labels = Int32Array.from({ length: features.n }, (_, i) => (features.age[i] >= 40 ? 1 : 0));
  const profiles = profileSegments(features, space, { k: 2, labels });
  const known = Array.from(features.age).filter((a) => !Number.isNaN(a));
  const mean = known.reduce((s, a) => s + a, 0) / known.length;
  const sd = Math.sqrt(known.reduce((s, a) => s + (a - mean) ** 2, 0) / known.length);
  const older = known.filter((a) => a >= 40);
  const expected = (older.reduce((s, a) => s + a, 0) / older.length - mean) / sd;
  assert.ok(Math.abs((profiles[1].lift.age as number) - expected) < 1e-9);
  assert.ok((profiles[1].lift.age as number) > 0.5);
  assert.match(profiles[1].name, /senior/);
});

test('the insights report states the numbers, in Markdown and HTML, written atomically', async () => {
  const { features, quality, seg } = await realSegmentation();
  const { md, html } = renderInsights(seg, quality, features);
  const single = Array.from(features.frequency).filter((f) => f === 1).length / features.n;
  assert.ok(md.includes(`${(100 * single).toFixed(1)}% of customers have exactly one transaction`));
  assert.ok(md.includes(`**${features.n.toLocaleString('en-US')} customers**`));
  for (const s of seg.segments) {
    assert.ok(md.includes(`| ${s.id} | ${s.name} | ${s.size.toLocaleString('en-US')} | ${(100 * s.share).toFixed(1)}% |`), `row of ${s.name}`);
    assert.ok(md.includes(`**${s.name}** (segment ${s.id}): ${s.action}`));
  }
  for (const heading of ['## Key findings', '## Segments', '## Recommended actions', '## How k was chosen', '## Caveats']) assert.ok(md.includes(heading));
  assert.ok(md.includes(seg.recommendation.reason));
  assert.ok(html.startsWith('<!doctype html>') && html.includes('<table>') && !html.includes('**'));
  assert.equal((html.match(/<li>/g) ?? []).length, (md.match(/^- /gm) ?? []).length);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-insights-'));
  const written = await writeInsightsReport(seg, quality, features, path.join(dir, 'figures'));
  assert.equal(fs.readFileSync(written.md, 'utf8'), md);
  assert.equal(fs.readFileSync(written.html, 'utf8'), html);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'figures')).sort(), ['insights.html', 'insights.md']);
  fs.rmSync(dir, { recursive: true });
});

test('planted groups get the names and actions their profiles call for, and the report says so', () => {
  // Three planted groups of 400: lapsed small spenders, recent big spenders, senior savers with large balances.
  const n = 1200;
  const g = (i: number) => Math.floor(i / 400);
  const jitter = (i: number, spread: number) => ((i * 7919) % 101) / 100 * spread; // deterministic spread
  const features = featuresOf({
    recencyDays: Array.from({ length: n }, (_, i) => [70, 5, 30][g(i)] + jitter(i, 8)),
    frequency: Array.from({ length: n }, () => 1),
    monetaryTotal: Array.from({ length: n }, (_, i) => [80, 20000, 900][g(i)] * (1 + jitter(i, 0.5))),
    monetaryMean: Array.from({ length: n }, (_, i) => [80, 20000, 900][g(i)] * (1 + jitter(i, 0.5))),
    balance: Array.from({ length: n }, (_, i) => [3000, 20000, 900000][g(i)] * (1 + jitter(i, 0.5))),
    age: Array.from({ length: n }, (_, i) => [30, 32, 67][g(i)] + jitter(i, 6)),
  });
  const seg = profileSegmentation(features, segmentCustomers(features, { k: 3, kMax: 4, nInit: 2, seed: 1 }));
  const byGroup = [0, 1, 2].map((grp) => seg.segments[seg.fit.labels[grp * 400]]);
  assert.deepEqual(byGroup.map((s) => s.size), [400, 400, 400]);
  assert.match(byGroup[0].name, /lapsed/);
  assert.match(byGroup[0].action, /^(Win-back|Reactivation): /);
  assert.match(byGroup[1].name, /big-ticket/);
  assert.match(byGroup[1].action, /^Retention: /);
  assert.match(byGroup[2].name, /senior/);
  assert.match(byGroup[2].name, /affluent|savers/);
  const quality: QualityReport = { inputRows: n, outputRows: n, entries: [], caps: { amount: 1e6, balance: 1e8, quantile: 0.999 } };
  const { md } = renderInsights(seg, quality, features);
  const medianRecency = [...Array.from({ length: 400 }, (_, i) => features.recencyDays[i])].sort((a, b) => a - b);
  const expected = Math.round((medianRecency[199] + medianRecency[200]) / 2);
  assert.ok(md.includes(`**${byGroup[0].name}** (segment ${byGroup[0].id}, 33.3% of customers) stand out by inactivity: their last transaction was a median **${expected} days**`), md);
  assert.ok(md.includes('so frequency can only separate the 0.0% who transacted again.'));
});
