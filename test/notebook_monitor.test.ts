/**
 * The notebooks' calls for the saved model (src/notebook/monitor.ts, notebooks 04 and 07) on small generated files:
 * saveModel writes what loadModel reads back; periodFiles picks the files notebook 07 compares; the assignment and
 * migration tables hold the numbers recounted here from the per-customer labels and keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as bs from '../src/notebook/index';
import { writeGeneratedCsv, writeNextPeriodCsv } from '../src/collect/generate';
import { cachedLoad } from '../src/preprocess/load_cache';
import { segmentCustomers } from '../src/segment/index';
import { profileSegmentation } from '../src/insights/profile';
import { keyTexts } from '../src/table';

process.env.BANKSEG_NO_CACHE = '1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-nb-monitor-'));
const P1 = path.join(dir, 'p1.csv');
const P2 = path.join(dir, 'p2.csv');

test('saveModel/loadModel, periodFiles, assign and migrate with their tables, recounted from the customers', async () => {
  await writeGeneratedCsv(P1, { rows: 4000, seed: 5 });
  await writeNextPeriodCsv(P2, { rows: 4000, seed: 5, drift: { returning: 0.5, moving: 0.5, balanceFactor: 20, arriving: 0.3 } });
  const data = await cachedLoad({ input: P1 });
  const seg = profileSegmentation(data.features, segmentCustomers(data.features, { k: 3, kMin: 3, kMax: 3 }));
  const file = path.join(dir, 'model.json');
  const model = bs.saveModel(seg, data, file);
  assert.deepEqual(bs.loadModel(file), model);
  assert.equal(model.training.inputSha256, data.input?.sha256);

  // periodFiles: the file given as next; with none and data that is not the generated default, the data itself.
  assert.deepEqual(await bs.periodFiles({ input: P1 }, P2), { training: P1, next: P2 });
  assert.deepEqual(await bs.periodFiles({ input: P1 }), { training: P1, next: P1 });

  const a = await bs.assign(model, { input: P2 });
  const table = bs.assignmentTable(a);
  const labels = a.scores.labels;
  const counted = model.segments.map((s) => labels.filter((x) => x === s.id).length);
  assert.deepEqual(table['customers'].values, counted);
  assert.deepEqual(table['training share'].values, model.segments.map((s) => s.share));
  assert.equal(bs.driftTable(a).index.length, model.features.length + 1);

  const mg = await bs.migrate(model, [P1, P2], { period: 'input' });
  const k = model.k;
  // Recount the matrix from the customers' keys in each period's features and their labels there.
  const label1 = new Map<string, number>();
  const label2 = new Map<string, number>();
  keyTexts(mg.periods[0].features.customerId).forEach((key, i) => label1.set(key, mg.periods[0].labels[i]));
  keyTexts(mg.periods[1].features.customerId).forEach((key, i) => label2.set(key, mg.periods[1].labels[i]));
  const counts = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
  for (const key of new Set([...label1.keys(), ...label2.keys()])) counts[label1.get(key) ?? k][label2.get(key) ?? k]++;
  const m = bs.migrationTable(model, mg);
  assert.deepEqual(m.values, counts);
  assert.deepEqual(m.index, [...model.segments.map((s) => s.name), 'no transaction']);
  assert.ok(counts[k].slice(0, k).reduce((x, y) => x + y, 0) > 0 && counts.slice(0, k).some((row) => row[k] > 0), 'new and quiet customers are both counted');
  const shares = bs.migrationTable(model, mg, 0, true).values as number[][];
  counts.forEach((row, r) => {
    const total = row.reduce((x, y) => x + y, 0);
    if (total > 0) row.forEach((c, col) => assert.ok(Math.abs(shares[r][col] - c / total) < 1e-12));
  });
  assert.equal(bs.migrationCaption(mg), 'Customers: segment in p1.csv (rows) and in p2.csv (columns →)');
  fs.rmSync(dir, { recursive: true, force: true });
});
