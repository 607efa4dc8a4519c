/**
 * Segment profiles, names, actions and the insights report: rules checked on hand-made lifts, profiles checked
 * against brute-force recomputation on the real rows, and the report checked for its numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NAME_WORDS, nameBase, nameOf, nameSegments, qualifyingWords, wordShares } from '../src/insights/naming';
import type { WordShare } from '../src/insights/naming';
import { ACTION_KINDS, actionText, assignActions, fittingActions } from '../src/insights/actions';
import type { ActionInput } from '../src/insights/actions';
import { categoryMix, mixShares } from '../src/insights/mix';
import { sharedIdentities } from '../src/insights/caveats';
import type { ProfiledSegmentation } from '../src/insights/types';
import { profileSegmentation, profileSegments } from '../src/insights/profile';
import { insightsBlocks, renderInsights, writeInsightsReport } from '../src/insights/report';
import { segmentCustomers } from '../src/segment';
import { loadData } from '../src/preprocess/load';
import { NUMERIC_FEATURES } from '../src/preprocess/feature_registry';
import { keyText, keyTexts } from '../src/table';
import type { CleanTable, QualityReport } from '../src/table';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { featuresOf } from './helpers/segment';
import { everyNumeric } from './helpers/features';
import { REAL_RAW } from './helpers/real-data';

const REAL = REAL_RAW;

/** Words that say a customer stopped transacting (docs/data-model.md, section 7): never written when the data cannot show it. */
const ABSENCE_WORDS = /\blapsed\b|[Rr]eactivat|last transacted|stopped transacting/;

const share = (word: string, segment: number, base: number): WordShare => ({ word, claim: word, share: segment, baseShare: base });

test('a word names a segment when it holds for at least half of its members and 1.25 times more than for everyone', () => {
  const q = qualifyingWords([
    share('young', 0.7, 0.5), // 1.4×: qualifies
    share('low-balance', 0.49, 0.2), // under half: no
    share('high-value', 0.6, 0.5), // 1.2×: does not set it apart
    share('lapsed', 0.9, 0.3), // 3×: qualifies
    share('high-balance', 0.5, 0.25), // exactly half, 2×: qualifies
  ]);
  // Best first by how much more often they hold than for everyone.
  assert.deepEqual(q.map((s) => s.word), ['lapsed', 'high-balance', 'young']);
  // One word per dimension: the one that sets the segment apart most (affluent over high-balance here).
  assert.deepEqual(qualifyingWords([share('high-balance', 0.9, 0.3), share('affluent', 0.6, 0.05)]).map((s) => s.word), ['affluent']);
});

test('names: the two best words in a fixed order, then "customers"; none qualifying is "mainstream customers"', () => {
  const names = nameSegments([
    [share('young', 0.7, 0.5), share('lapsed', 0.9, 0.3), share('high-balance', 0.5, 0.25)],
    [share('senior', 0.6, 0.03)],
    [share('young', 0.55, 0.5)],
  ]);
  assert.deepEqual(names.map((n) => n.name), ['lapsed high-balance customers', 'senior customers', 'mainstream customers']);
  assert.deepEqual(names[0].words.map((w) => w.word), ['lapsed', 'high-balance']);
  assert.equal(nameOf(['high-value', 'young', 'recent']), 'recent young high-value customers');
});

test('names are unique: clashing segments take their next word, identical ones a number', () => {
  const names = nameSegments([
    [share('lapsed', 0.9, 0.3), share('young', 0.8, 0.4), share('low-value', 0.6, 0.33)],
    [share('lapsed', 0.9, 0.3), share('young', 0.8, 0.4), share('high-value', 0.6, 0.33)],
    [share('senior', 0.9, 0.05)],
    [share('senior', 0.9, 0.05)],
  ]);
  assert.deepEqual(names.map((n) => n.name), [
    'lapsed young low-value customers',
    'lapsed young high-value customers',
    'senior customers 1',
    'senior customers 2',
  ]);
});

test('word shares: every word against a brute-force count on hand-made customers', () => {
  const features = featuresOf({
    recencyDays: [0, 14, 15, 59, 60, 80],
    monetaryTotal: [10, 20, 30, 40, 50, 60],
    balance: [NaN, 4999, 5000, 49999, 50000, 500000],
    age: [NaN, 29, 30, 44, 45, 60],
    frequency: [1, 2, 1, 1, 1, 3],
  });
  const labels = Int32Array.of(0, 0, 0, 1, 1, 1);
  // As in a full book: no limit on what recency can say, so `lapsed` is usable and `early-seen` is not.
  const base = nameBase(features, { fromLastSeen: false });
  // Thirds of 10..60 (type 7): h = 5/3 → 26.67, h = 10/3 → 43.33.
  assert.ok(Math.abs(base.valueLowThird - 80 / 3) < 1e-9 && Math.abs(base.valueTopThird - 130 / 3) < 1e-9);
  const shares = wordShares(features, labels, 2, base);
  assert.equal(shares[0].find((s) => s.word === 'early-seen'), undefined);
  // 9 transactions for 6 customers: 1.5 a customer is not below the sample rate (1.5), and the last-seen days have no thin end.
  assert.equal(nameBase(features).recencyLimit, '');
  // Rows that look like a sample: `early-seen` names the same customers instead.
  const sampled = nameBase(features, { sample: { perCustomer: 1.2, singleShare: 0.8, window: 81 }, fromLastSeen: false });
  assert.equal(sampled.recencyLimit, "the rows look like a sample of the bank's transactions (1.20 transactions per customer)");
  const sampledShares = wordShares(features, labels, 2, sampled);
  assert.equal(sampledShares[0].find((s) => s.word === 'lapsed'), undefined);
  assert.deepEqual(
    sampledShares.map((seg) => seg.find((s) => s.word === 'early-seen')!.share),
    shares.map((seg) => seg.find((s) => s.word === 'lapsed')!.share),
  );
  const at = (c: number, w: string) => shares[c].find((s) => s.word === w)!;
  const expect: Record<string, [number, number, number]> = {
    // word: [segment 0 share, segment 1 share, base share]
    recent: [2 / 3, 0, 2 / 6],
    lapsed: [0, 2 / 3, 2 / 6],
    young: [1 / 3, 0, 1 / 6], // NaN age is not young
    'mid-age': [1 / 3, 1 / 3, 2 / 6],
    older: [0, 1 / 3, 1 / 6],
    senior: [0, 1 / 3, 1 / 6],
    'low-balance': [1 / 3, 0, 1 / 6], // NaN balance is not low
    'high-balance': [0, 2 / 3, 2 / 6],
    affluent: [0, 1 / 3, 1 / 6],
    'low-value': [2 / 3, 0, 2 / 6],
    'high-value': [0, 2 / 3, 2 / 6],
    repeat: [1 / 3, 1 / 3, 2 / 6],
  };
  for (const [word, [s0, s1, b]] of Object.entries(expect)) {
    assert.ok(Math.abs(at(0, word).share - s0) < 1e-12 && Math.abs(at(1, word).share - s1) < 1e-12 && Math.abs(at(0, word).baseShare - b) < 1e-12, word);
  }
  assert.equal(NAME_WORDS.length, Object.keys(expect).length + 1); // + early-seen
});

const facts = (over: Partial<ActionInput>): ActionInput => ({
  id: 0,
  size: 1000,
  share: 0.1,
  monetaryShare: 0.1,
  balanceShare: 0.1,
  moneyMoved: 1e6,
  balancesHeld: 1e7,
  profile: { ...everyNumeric(NaN), recencyDays: 40, frequency: 1, monetaryTotal: 500, monetaryMean: 500, balance: 20000, age: 35 },
  lift: {},
  repeatShare: 0,
  reusedIdShare: 0,
  words: [],
  ...over,
});
const ACTION_BASE = { medianBalance: 16000, medianMoney: 450, asOf: '2016-10-21' };
const words = (...w: string[]): WordShare[] => w.map((x) => share(x, 0.8, 0.3));

test('actions fit the words of the name: senior deposits need seniors with high balances, and so on', () => {
  const first = (f: ActionInput) => fittingActions(f, ACTION_BASE)[0];
  assert.equal(first(facts({ words: words('lapsed', 'high-balance') })), 'reactivation');
  assert.equal(first(facts({ words: words('senior', 'high-balance') })), 'senior deposits');
  assert.equal(first(facts({ words: words('older', 'affluent') })), 'retirement planning');
  assert.equal(first(facts({ words: words('older') })), 'grow balances'); // no rich word: the medians decide (20,000 ≥ 16,000)
  assert.equal(first(facts({ words: words('high-value') })), 'relationship review');
  assert.equal(first(facts({ words: words('young', 'low-balance') })), 'digital starter');
  assert.equal(first(facts({ words: words('recent') })), 'engage');
  assert.equal(first(facts({ words: words('low-value'), profile: { ...facts({}).profile, balance: 900 } })), 'low-cost service');
  // Only fitting kinds: a plain segment (medians above both base medians) gets no reactivation, senior or other offer.
  assert.deepEqual(fittingActions(facts({}), ACTION_BASE), ['grow balances', 'relationship review', 'test and learn']);
});

test('actions are distinct while fitting ones are left (then test and learn): segments choose in order of the money they carry', () => {
  const rich = facts({ id: 0, words: words('high-balance'), balancesHeld: 9e8 });
  const richer = facts({ id: 1, words: words('high-balance'), balancesHeld: 2e9 });
  const kinds = assignActions([rich, richer], ACTION_BASE);
  assert.deepEqual(kinds, ['relationship review', 'grow balances']); // the richer takes grow balances first
  // Eight alike segments: the two fitting actions once each, then test and learn (never an action that does not fit).
  assert.deepEqual(
    assignActions(Array.from({ length: 8 }, (_, id) => facts({ id })), ACTION_BASE),
    ['grow balances', 'relationship review', 'test and learn', 'test and learn', 'test and learn', 'test and learn', 'test and learn', 'test and learn'],
  );
  // Relationship review claims large transactions only for a high-value segment; otherwise it states the medians.
  assert.match(actionText('relationship review', facts({ words: words('high-value') }), ACTION_BASE), /large transactions/);
  const plain = actionText('relationship review', facts({}), ACTION_BASE);
  assert.doesNotMatch(plain, /large|premium/);
  assert.match(plain, /a median INR 500 each against INR 450 for all customers/);
  const text = actionText('grow balances', facts({ size: 12345, share: 0.125, balanceShare: 0.2, balancesHeld: 5e8 }), ACTION_BASE);
  assert.match(text, /^Grow balances: 12,345 customers \(12\.5%\) hold INR 500,000,000 of balances \(20\.0% of all\)/);
  assert.match(actionText('reactivation', facts({}), ACTION_BASE), /a median 40 days before 2016-10-21/);
  for (const kind of ACTION_KINDS) assert.doesNotMatch(actionText(kind, facts({}), ACTION_BASE), /spend|spent|saver/i, kind);
});

test('one person under several IDs: same birth date, gender and balance under another CustomerID (hand-made)', () => {
  const f = {
    n: 7,
    customerId: ['C1|1990-01-01|M', 'C2|1990-01-01|M', 'C3|1990-01-01|F', 'C4|?|M', 'C5|?|M', 'C6|1980-05-05|F', 'C6|1980-05-05|M'],
    // C1 and C2: same person (same date, gender, balance). C3: other gender. C4, C5: unknown birth dates.
    // C6 twice: same ID (a reused ID, not two IDs). 7e6: at the cap, not compared.
    balance: Float64Array.of(1234.56, 1234.56, 1234.56, 99, 99, 7e6, 7e6),
  };
  assert.deepEqual(sharedIdentities(f, 7e6), { customers: 2, groups: 1 });
  assert.deepEqual(sharedIdentities({ ...f, balance: Float64Array.of(0, 0, 0, 0, 0, 0, 0) }), { customers: 0, groups: 0 });
});

test('category mix: counts per segment and value, unknowns apart, tested without them', () => {
  const column = { codes: Int32Array.of(0, 1, 1, -1, 0, 0), values: ['F', 'M'] };
  const mix = categoryMix(column, Int32Array.of(0, 0, 0, 1, 1, 1), 2);
  assert.deepEqual(mix.values, ['F', 'M', 'unknown']);
  assert.deepEqual(mix.counts, [[1, 2, 0], [2, 0, 1]]);
  assert.deepEqual([mix.test.n, mix.test.degreesOfFreedom], [5, 1]);
  assert.deepEqual(mixShares(mix, 1).map((x) => x.share), [2 / 3, 0, 1 / 3]);
});

let real: { features: CustomerFeatures; quality: QualityReport; clean: CleanTable; seg: ProfiledSegmentation } | undefined;
async function realSegmentation() {
  if (!real) {
    const { features, quality, clean } = await loadData({ input: REAL });
    const seg = profileSegmentation(features, segmentCustomers(features, { kMin: 2, kMax: 5, nInit: 2, silhouetteSampleSize: 1500, seed: 7 }));
    real = { features, quality, clean, seg };
  }
  return real;
}

test('the report says how many malformed rows the reader skipped (none on the real rows), and where the first was', async () => {
  const { features, quality, clean, seg } = await realSegmentation();
  const source = (q: QualityReport) => (insightsBlocks(seg, { quality: q, features, clean }).find((b) => b.kind === 'p') as { text: string }).text;
  assert.match(source(quality), /^Source: 20,000 transaction rows \(no malformed row skipped when reading\), 20,000 after cleaning, /);
  const m = (line: number) => ({ file: 'data.csv', line, column: 'CustomerID' as const, value: '', expected: 'a customer ID (not empty)' });
  assert.match(source({ ...quality, malformed: { count: 1, examples: [m(7)] } }), /^Source: 20,000 transaction rows \(1 malformed row skipped when reading, the first at data\.csv:7, column CustomerID\), /);
  assert.match(source({ ...quality, malformed: { count: 1234, examples: [m(9), m(12)] } }), /^Source: 20,000 transaction rows \(1,234 malformed rows skipped when reading, the first at data\.csv:9, column CustomerID\), /);
});

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
  const ids = new Map<string, number>();
  for (const key of keyTexts(features.customerId)) ids.set(key.split('|')[0], (ids.get(key.split('|')[0]) ?? 0) + 1);
  for (const p of segments) {
    const members = all.filter((i) => fit.labels[i] === p.id);
    assert.equal(p.size, members.length);
    assert.ok(Math.abs(p.share - members.length / features.n) < 1e-12);
    const money = members.reduce((s, i) => s + features.monetaryTotal[i], 0);
    assert.ok(Math.abs(p.monetaryShare - money / moneyAll) < 1e-9);
    assert.ok(Math.abs(p.moneyMoved - money) < 1e-6 * money);
    const bal = members.reduce((s, i) => s + (Number.isNaN(features.balance[i]) ? 0 : features.balance[i]), 0);
    assert.ok(Math.abs(p.balanceShare - bal / balanceAll) < 1e-9);
    assert.ok(Math.abs(p.repeatShare - members.filter((i) => features.frequency[i] >= 2).length / members.length) < 1e-12);
    const reused = members.filter((i) => ids.get(keyText(features.customerId, i).split('|')[0])! > 1).length;
    assert.ok(Math.abs(p.reusedIdShare - reused / members.length) < 1e-12);
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
  assert.equal(new Set(segments.map((p) => p.actionKind)).size, segments.length, 'actions are distinct');
  // The gender mix: brute-force counts per segment.
  for (const p of segments) {
    const members = all.filter((i) => fit.labels[i] === p.id);
    const f = members.filter((i) => features.gender.codes[i] === features.gender.values.indexOf('F')).length;
    assert.equal(seg.context.mix.gender.counts[p.id][seg.context.mix.gender.values.indexOf('F')], f);
  }
});

test('lift of a feature left out of the model is its standardized difference on known values', async () => {
  const { features } = await realSegmentation();
  const space = (await import('../src/segment/space')).buildModelSpace(features, { features: ['recencyDays', 'monetaryTotal'] });
  const labels = Int32Array.from({ length: features.n }, (_, i) => (features.age[i] >= 45 ? 1 : 0));
  const { segments } = profileSegments(features, space, { k: 2, labels });
  const known = Array.from(features.age).filter((a) => !Number.isNaN(a));
  const mean = known.reduce((s, a) => s + a, 0) / known.length;
  const sd = Math.sqrt(known.reduce((s, a) => s + (a - mean) ** 2, 0) / known.length);
  const older = known.filter((a) => a >= 45);
  const expected = (older.reduce((s, a) => s + a, 0) / older.length - mean) / sd;
  assert.ok(Math.abs((segments[1].lift.age as number) - expected) < 1e-9);
  assert.ok((segments[1].lift.age as number) > 0.5);
  // Everyone aged 45+ and no one else: the segment's age word is older (45–59) or senior (60+), whichever holds for most.
  assert.match(segments[1].name, /older|senior/);
});

test('the insights report states the numbers, in Markdown and HTML, written atomically', async () => {
  const { features, quality, clean, seg } = await realSegmentation();
  const { md, html } = renderInsights(seg, { quality, features, clean });
  assert.ok(md.includes(`**${features.n.toLocaleString('en-US')} customers**`));
  for (const s of seg.segments) {
    assert.ok(md.includes(`| ${s.id} | ${s.name} | ${s.size.toLocaleString('en-US')} | ${(100 * s.share).toFixed(1)}% |`), `row of ${s.name}`);
    assert.ok(md.includes(`**${s.name}** (segment ${s.id}): ${s.action}`));
  }
  for (const heading of ['## Key findings', '## Segments', '## What the names mean', '## Who is in each segment', '## Recommended actions', '## RFM segments beside the k-means segments', '## How k was chosen', '## Caveats']) {
    assert.ok(md.includes(heading), heading);
  }
  assert.ok(md.includes(seg.recommendation.reason));
  // Caveats detected in these rows, with their counts (data README: 62 of 63 repeated IDs carry different birth dates).
  assert.match(md, /\*\*CustomerID is reused by different people\*\*: 62 IDs carry more than one birth date or gender and were split into 124 customers/);
  assert.match(md, /Young ages: 6 transactions had a birth date giving an age under 10 .* and 36 are by minors aged 10–17/);
  assert.match(md, /Recency is measured from 2016-10-21, the last date in the data, which holds 3,539 transactions/);
  assert.match(md, /A sample, not the full book: customers average 1\.00 transactions in an 82-day window/);
  // The real rows are a sample: the customers not seen after 2016-08-22 are early-seen, not lapsed (docs/data-model.md, section 7).
  assert.doesNotMatch(md, ABSENCE_WORDS);
  // Each test result reads as "what: result", never "gender no detectable difference".
  assert.match(md, /Beyond the model — gender: (no detectable difference|differs)[^;]*; location: [^;]*; time of day: /);
  assert.match(md, /Chi-square tests of independence — gender: /);
  assert.doesNotMatch(md, /\b(gender|location|time of day) (no detectable|differs)/i);
  assert.match(md, /Amounts carry no debit\/credit direction/);
  // One person under several IDs, brute force: customers grouped by (birth date, gender, balance in paise).
  const groups = new Map<string, Set<string>>();
  const members = new Map<string, number>();
  keyTexts(features.customerId).forEach((key, i) => {
    const [id, dob, g] = key.split('|');
    const b = features.balance[i];
    if (dob === '?' || !(b > 0) || b >= quality.caps.balance) return;
    const who = `${dob}|${g}|${Math.round(b * 100)}`;
    groups.set(who, (groups.get(who) ?? new Set()).add(id));
    members.set(who, (members.get(who) ?? 0) + 1);
  });
  const shared = [...groups].filter(([, ids]) => ids.size > 1);
  const sharedCustomers = shared.reduce((s, [who]) => s + members.get(who)!, 0);
  assert.ok(shared.length > 2000, `${shared.length} groups`); // 2,533 groups of rows in the raw file (pandas)
  assert.ok(md.includes(`${sharedCustomers.toLocaleString('en-US')} customers (${(100 * sharedCustomers / features.n).toFixed(1)}%) share their birth date, gender and balance to the paisa with a customer under another CustomerID (${shared.length.toLocaleString('en-US')} such groups)`), 'shared identities');
  assert.doesNotMatch(md, /spender|saver/i);
  assert.ok(html.startsWith('<!doctype html>') && html.includes('<table>') && !html.includes('**'));
  assert.equal((html.match(/<li>/g) ?? []).length, (md.match(/^- /gm) ?? []).length);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-insights-'));
  const written = await writeInsightsReport(seg, { quality, features, clean }, path.join(dir, 'figures'));
  assert.equal(fs.readFileSync(written.md, 'utf8'), md);
  assert.equal(fs.readFileSync(written.html, 'utf8'), html);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'figures')).sort(), ['insights.html', 'insights.md']);
  fs.rmSync(dir, { recursive: true });
});

/**
 * Three planted groups of 400: customers last active long ago moving little, recent ones moving a lot, seniors with
 * large balances; each customer with `transactions` transactions in the window.
 */
function plantedGroups(transactions: number) {
  const n = 1200;
  const g = (i: number) => Math.floor(i / 400);
  const jitter = (i: number, spread: number) => ((i * 7919) % 101) / 100 * spread; // deterministic spread
  const features = featuresOf({
    recencyDays: Array.from({ length: n }, (_, i) => [70, 5, 30][g(i)] + jitter(i, 8)),
    frequency: Array.from({ length: n }, () => transactions),
    monetaryTotal: Array.from({ length: n }, (_, i) => [80, 20000, 900][g(i)] * (1 + jitter(i, 0.5))),
    monetaryMean: Array.from({ length: n }, (_, i) => ([80, 20000, 900][g(i)] * (1 + jitter(i, 0.5))) / transactions),
    balance: Array.from({ length: n }, (_, i) => [3000, 20000, 900000][g(i)] * (1 + jitter(i, 0.5))),
    age: Array.from({ length: n }, (_, i) => [30, 32, 67][g(i)] + jitter(i, 6)),
  });
  const quality: QualityReport = { malformed: { count: 0, examples: [] }, inputRows: n * transactions, outputRows: n * transactions, entries: [], caps: { amount: 1e6, balance: 1e8, quantile: 0.999 } };
  return { n, features, quality, seg: segmentCustomers(features, { k: 3, kMax: 4, nInit: 2, seed: 1 }) };
}

/** `days` days of transactions ending on `end`, `full` a day, the last `thin` of them `few` a day. */
function perDay(end: number, days: number, full: number, thin = 0, few = 0) {
  return Array.from({ length: days }, (_, d) => ({ day: end - days + 1 + d, transactions: d >= days - thin ? few : full }));
}

test('planted groups of repeat customers get the names and actions their profiles call for, lapsed included, and the report says so', () => {
  const { n, features, quality, seg: fitted } = plantedGroups(4);
  // 4 transactions per customer over 81 days, 60 a day with no thin end: a full book, where an absence is evidence.
  const days = perDay(features.endDate, 81, 60);
  const seg = profileSegmentation(features, fitted, days);
  assert.deepEqual([seg.context.recency.sample, seg.context.recency.thinTail], [undefined, undefined]);
  const byGroup = [0, 1, 2].map((grp) => seg.segments[seg.fit.labels[grp * 400]]);
  assert.deepEqual(byGroup.map((s) => s.size), [400, 400, 400]);
  assert.match(byGroup[0].name, /^lapsed /);
  assert.equal(byGroup[0].actionKind, 'reactivation');
  assert.match(byGroup[1].name, /^recent .*high-value customers$|^recent customers$|high-value/);
  assert.match(byGroup[2].name, /senior/);
  assert.match(byGroup[2].name, /affluent/);
  assert.equal(byGroup[2].actionKind, 'senior deposits');
  const { md } = renderInsights(seg, { quality, features, transactionsPerDay: days });
  assert.ok(md.includes(`**${byGroup[2].name}** (segment ${byGroup[2].id}): ${byGroup[2].action}`));
  assert.ok(md.includes('*senior* = aged 60 or more: 100% of members (33% of all customers)'), md);
  assert.ok(md.includes('*lapsed* = no transaction in the last 60 days before the as-of date: 100% of members (33% of all customers)'), md);
  assert.doesNotMatch(md, /A sample, not the full book|thin out|early-seen|R ranks when a customer was last seen/);
  assert.equal(n, 1200);
});

test('when the rows look like a sample (one transaction each), no name, action or sentence says a customer lapsed', () => {
  const { features, quality, seg: fitted } = plantedGroups(1);
  const days = perDay(features.endDate, 81, 15);
  const seg = profileSegmentation(features, fitted, days);
  assert.ok(seg.context.recency.sample && !seg.context.recency.thinTail);
  const early = seg.segments[seg.fit.labels[0]];
  // The same members the lapsed word would name, named for what the data shows.
  assert.match(early.name, /^early-seen /);
  assert.notEqual(early.actionKind, 'reactivation');
  const { md, html } = renderInsights(seg, { quality, features, transactionsPerDay: days });
  assert.doesNotMatch(md, ABSENCE_WORDS);
  assert.doesNotMatch(html, ABSENCE_WORDS);
  const on = new Date((features.endDate - 60) * 86_400_000).toISOString().slice(0, 10);
  assert.ok(md.includes(`*early-seen* = last seen in the data on or before ${on} (60 or more days before the as-of date); not seen since does not mean they stopped banking, because the rows look like a sample of the bank's transactions (1.00 transactions per customer): 100% of members (33% of all customers)`), md);
  assert.match(md, /A sample, not the full book: customers average 1\.00 transactions in an 81-day window/);
  assert.match(md, /R ranks when a customer was last seen in these rows; since the rows look like a sample/);
});

test('when the end of the data is thin, repeat customers are not called lapsed either, and the caveat says why', () => {
  const { features, quality, seg: fitted } = plantedGroups(4);
  // The last 40 of 81 days hold 2 transactions a day against 100: everyone's recency includes a quiet period of the data.
  const days = perDay(features.endDate, 81, 100, 40, 2);
  const seg = profileSegmentation(features, fitted, days);
  assert.ok(!seg.context.recency.sample && seg.context.recency.thinTail);
  assert.match(seg.segments[seg.fit.labels[0]].name, /^early-seen /);
  const { md } = renderInsights(seg, { quality, features, transactionsPerDay: days });
  assert.doesNotMatch(md, ABSENCE_WORDS);
  const lastFull = new Date((features.endDate - 40) * 86_400_000).toISOString().slice(0, 10);
  assert.ok(md.includes(`The data thin out at the end: after ${lastFull}, the last day with at least half a median day's transactions, 40 dates over 40 days hold`), md);
  assert.ok(md.includes(`because the data thin out after ${lastFull}: 100% of members`), md);
  // Without the transactions per day, the customers' last-seen days stand in: the planted recencies have no thin end.
  assert.equal(profileSegmentation(features, fitted).context.recency.thinTail, undefined);
});
