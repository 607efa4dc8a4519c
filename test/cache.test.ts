import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { cachedLoad } from '../src/preprocess/load_cache';
import { cachedSegmentation, cachedSegmentationWith, decodeSegmentation, encodeSegmentation, featuresDigest } from '../src/segment/cached';
import { CustomerKeys, keyTexts } from '../src/table';
import { loadData } from '../src/preprocess/load';
import { segmentCustomers } from '../src/segment/index';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import type { Segmentation } from '../src/segment/types';
import { REAL_RAW } from './helpers/real-data';
import { customerFeaturesOf } from './helpers/features';

const REAL = REAL_RAW;
const made: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-cache-test-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function fakeSegmentation(n: number, d: number): Segmentation {
  const X = new Float64Array(n * d).map((_, i) => Math.sin(i) * 3);
  const labels = new Int32Array(n).map((_, i) => i % 3);
  return {
    k: 3,
    space: {
      n,
      d,
      features: (['recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age'] as const).slice(0, d),
      logged: ['monetaryTotal'],
      X,
      median: new Float64Array(d).fill(1),
      mean: new Float64Array(d).fill(2),
      std: new Float64Array(d).fill(3),
      imputed: Array.from({ length: d }, () => 0),
    },
    fit: { k: 3, labels, centroids: new Float64Array(3 * d).fill(0.5), inertia: 12.5, iterations: 7, converged: true },
    silhouette: NaN,
    daviesBouldin: 0.8,
    calinskiHarabasz: 1000,
    kSweep: [{ k: 2, inertia: 20, silhouette: 0.3, daviesBouldin: 1, calinskiHarabasz: 5, stability: 0.9, restarts: 8, confirmedBy: 8, rivalGap: NaN, rivalAri: NaN, stable: true }],
    recommendation: { k: 3, reason: 'because' },
  };
}

test('encodeSegmentation/decodeSegmentation round-trip, one row per customer with z columns', () => {
  const seg = fakeSegmentation(7, 4);
  const bytes = encodeSegmentation(seg);
  const t = arrow.tableFromIPC(bytes);
  assert.equal(t.numRows, 7);
  assert.deepEqual(t.schema.fields.map((f) => f.name), ['segment', 'z_recencyDays', 'z_frequency', 'z_monetaryTotal', 'z_monetaryMean']);
  // Customer 2, feature 1 is X[2*4+1].
  assert.equal(t.getChild('z_frequency')!.get(2), Math.sin(9) * 3);
  assert.deepEqual(decodeSegmentation(bytes), seg);
});

function tinyFeatures(scale: number): CustomerFeatures {
  return customerFeaturesOf(
    3,
    {
      recencyDays: new Float64Array([1, 2, 3]),
      frequency: new Float64Array([1, 1, 2]),
      monetaryTotal: new Float64Array([10, 20, 30 * scale]),
      monetaryMean: new Float64Array([10, 20, 15]),
      balance: new Float64Array([100, NaN, 300]),
      age: new Float64Array([30, 40, NaN]),
      gender: { codes: new Int32Array([0, 1, -1]), values: ['F', 'M'] },
      location: { codes: new Int32Array([0, 0, 0]), values: ['OTHER'] },
      timeOfDay: { codes: new Int32Array([1, 2, 3]), values: ['night', 'morning', 'afternoon', 'evening'] },
    },
    { endDate: 17000 },
  );
}

test('cachedSegmentationWith computes once per (features, options); any change recomputes', async () => {
  const root = tmp();
  let calls = 0;
  const compute = (_f: CustomerFeatures, o: { k: number }) => {
    calls++;
    return { ...fakeSegmentation(3, 2), k: o.k };
  };
  const first = await cachedSegmentationWith(tinyFeatures(1), { k: 3 }, compute, { root });
  const again = await cachedSegmentationWith(tinyFeatures(1), { k: 3 }, compute, { root });
  assert.equal(calls, 1);
  assert.equal(first.cache.hit, false);
  assert.equal(again.cache.hit, true);
  const { cache: _a, ...firstSeg } = first;
  const { cache: _b, ...againSeg } = again;
  assert.deepEqual(againSeg, firstSeg);

  const otherK = await cachedSegmentationWith(tinyFeatures(1), { k: 4 }, compute, { root });
  assert.equal(calls, 2);
  assert.equal(otherK.k, 4);
  await cachedSegmentationWith(tinyFeatures(2), { k: 3 }, compute, { root }); // one feature value differs
  assert.equal(calls, 3);
  await cachedSegmentationWith(tinyFeatures(1), { k: 3 }, compute, { root, refresh: true });
  assert.equal(calls, 4);
  // Only whole entries on disk: no temporary folders left behind.
  assert.deepEqual(fs.readdirSync(path.join(root, 'data', 'processed')).filter((n) => n.startsWith('.tmp')), []);
});

test('cachedLoad: a hit equals a fresh loadData; a changed input or parameter recomputes; the input is never written', async () => {
  const root = tmp();
  const input = path.join(root, 'data', 'raw', 'tx.csv');
  fs.mkdirSync(path.dirname(input), { recursive: true });
  fs.copyFileSync(REAL, input);
  const miss = await cachedLoad({ input }, { root });
  const hit = await cachedLoad({ input }, { root });
  assert.equal(miss.cache.hit, false);
  assert.equal(hit.cache.hit, true);
  assert.equal(hit.cache.key, miss.cache.key);
  const fresh = await loadData({ input });
  assert.deepEqual(hit.features, fresh.features);
  assert.deepEqual(hit.clean, fresh.clean);
  assert.deepEqual(hit.quality, fresh.quality);
  assert.deepEqual(hit.raw, fresh.raw);
  assert.equal(hit.features.n, 19999); // customers (CustomerID, birth date, gender) of these rows
  for (const dir of hit.cache.dirs) assert.ok(fs.existsSync(path.join(root, dir, 'manifest.json')), dir);

  // A parameter change is a different entry, with that parameter's result.
  const capped = await cachedLoad({ input, capQuantile: 0.9 }, { root });
  assert.equal(capped.cache.hit, false);
  assert.notEqual(capped.cache.key, hit.cache.key);
  assert.deepEqual(capped.quality, (await loadData({ input, capQuantile: 0.9 })).quality);

  // The input is keyed by its content: the same bytes with a new date still hit; an edited file recomputes.
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(input, later, later);
  assert.equal((await cachedLoad({ input }, { root })).cache.hit, true);
  const lines = fs.readFileSync(input, 'utf8').split('\n');
  fs.writeFileSync(input, lines.slice(0, 101).join('\n') + '\n');
  const edited = await cachedLoad({ input }, { root });
  assert.equal(edited.cache.hit, false);
  assert.equal(edited.raw.rows, 100);

  // A half-written entry (no manifest) is not served: it is discarded, with one line saying so.
  fs.rmSync(path.join(root, edited.cache.dirs[1], 'manifest.json'));
  const warnings: string[] = [];
  assert.equal((await cachedLoad({ input }, { root, warn: (line) => warnings.push(line) })).cache.hit, false);
  assert.deepEqual(warnings, [`bankseg: cache entry ${edited.cache.dirs.join(' + ')} is damaged (no manifest.json); discarded, recomputing`]);
  // Nothing but the input in data/raw.
  assert.deepEqual(fs.readdirSync(path.join(root, 'data', 'raw')), ['tx.csv']);
});

test('cachedLoad: a missing input gets the reader\'s one-line error, and nothing is cached', async () => {
  const root = tmp();
  await assert.rejects(cachedLoad({ input: path.join(root, 'nope.csv') }, { root }), { name: 'InputError', message: /nope\.csv: no such file/ });
  assert.equal(fs.existsSync(path.join(root, 'data')), false);
});

test('cachedLoad leaves the source file byte-identical', async () => {
  const root = tmp();
  const input = path.join(root, 'in.csv');
  fs.copyFileSync(REAL, input);
  const before = sha(input);
  await cachedLoad({ input }, { root });
  await cachedLoad({ input }, { root });
  assert.equal(sha(input), before);
});

test('cachedSegmentation: a hit equals a fresh segmentCustomers on the real rows', async () => {
  const root = tmp();
  const { features } = await cachedLoad({ input: REAL }, { root });
  const opts = { kMin: 2, kMax: 4, nInit: 2, seed: 7 };
  const miss = await cachedSegmentation(features, opts, { root });
  const hit = await cachedSegmentation(features, opts, { root });
  assert.equal(miss.cache.hit, false);
  assert.equal(hit.cache.hit, true);
  // Everything but the sweep's wall-clock seconds, which differ between any two runs.
  const timeless = (seg: Segmentation) => ({ ...seg, kSweep: seg.kSweep.map((s) => ({ ...s, seconds: 0 })) });
  const { cache: _c, ...fromCache } = hit;
  assert.deepEqual(timeless(fromCache), timeless(segmentCustomers(features, opts)));
  assert.equal(fromCache.fit.labels.length, features.n);
});

test('a segment-name change keeps the load and k-sweep caches warm; a k-means change misses only the segmentation', async () => {
  // A copy of this clone's src/ to edit: the keys hash the code each stage runs (its import closure).
  const source = tmp();
  fs.cpSync(path.join(__dirname, '..', 'src'), path.join(source, 'src'), { recursive: true });
  const cache = { root: tmp(), sourceRoot: source };
  const edit = (file: string, change: (text: string) => string) => {
    const full = path.join(source, file);
    const before = fs.readFileSync(full, 'utf8');
    const after = change(before);
    assert.notEqual(after, before, `${file} edited`);
    fs.writeFileSync(full, after);
  };
  const opts = { kMin: 2, kMax: 3, nInit: 1, maxRestarts: 2, seed: 7, silhouetteSampleSize: 500 };
  const load1 = await cachedLoad({ input: REAL }, cache);
  const seg1 = await cachedSegmentation(load1.features, opts, cache);
  assert.deepEqual([load1.cache.hit, seg1.cache.hit], [false, false]);

  // A naming rule: lapsed customers become "dormant". Names are derived after the cache, so both entries stay.
  edit('src/insights/naming.ts', (t) => t.replace("word: 'lapsed'", "word: 'dormant'"));
  const load2 = await cachedLoad({ input: REAL }, cache);
  const seg2 = await cachedSegmentation(load2.features, opts, cache);
  assert.deepEqual([load2.cache.hit, seg2.cache.hit], [true, true]);
  assert.deepEqual([load2.cache.key, seg2.cache.key], [load1.cache.key, seg1.cache.key]);

  // The k-means code: the segmentation is recomputed, the load entry still serves.
  edit('src/segment/kmeans.ts', (t) => `${t}\n// edited\n`);
  const load3 = await cachedLoad({ input: REAL }, cache);
  const seg3 = await cachedSegmentation(load3.features, opts, cache);
  assert.deepEqual([load3.cache.hit, seg3.cache.hit], [true, false]);
  assert.notEqual(seg3.cache.key, seg1.cache.key);

  // A cleaning rule: the load is recomputed.
  edit('src/preprocess/clean.ts', (t) => `${t}\n// edited\n`);
  assert.equal((await cachedLoad({ input: REAL }, cache)).cache.hit, false);
});

test('featuresDigest: the same for the customer keys as numbers and as their texts; one key text changed changes it', async () => {
  const { features } = await loadData({ input: REAL });
  assert.ok(features.customerId instanceof CustomerKeys);
  const texts = [...keyTexts(features.customerId)];
  assert.equal(featuresDigest(features), featuresDigest({ ...features, customerId: texts }));
  texts[70_000 % texts.length] += ' ';
  assert.notEqual(featuresDigest(features), featuresDigest({ ...features, customerId: texts }));
});
