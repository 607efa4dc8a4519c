/**
 * One spec snapshot per registered figure (as Observable Plot does): each figure built from a small deterministic
 * input is compared, structurally, with its committed JSON in test/snapshots/figures/. A change to any chart shows
 * up as a failing test and, after `npm run snapshots`, as a diff a person reviews. This test never writes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analysisFigureCount, FIGURES } from '../src/visualize/figure_registry';
import { SNAPSHOT_DIR, snapshotFigures, snapshotText } from './helpers/snapshots';

/** The first place two JSON values differ (numbers within 1e-9 relative count as equal), or undefined. */
function firstDifference(actual: unknown, expected: unknown, where = ''): string | undefined {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) ? undefined : `${where}: ${actual} vs snapshot ${expected}`;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${where}: ${actual.length} items vs snapshot ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const d = firstDifference(actual[i], expected[i], `${where}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object' && !Array.isArray(actual) && !Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])];
    for (const key of keys) {
      const d = firstDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${where}: ${JSON.stringify(actual)} vs snapshot ${JSON.stringify(expected)}`;
}

const figures = snapshotFigures();

for (const entry of FIGURES) {
  test(`figure ${entry.name} matches its committed spec snapshot`, () => {
    const file = path.join(SNAPSHOT_DIR, `${entry.name}.json`);
    assert.ok(fs.existsSync(file), `no snapshot ${path.relative(process.cwd(), file)}: run \`npm run snapshots\`, review it, commit it`);
    const fig = figures.get(entry.name)!;
    assert.equal(fig.name, entry.name, 'the figure is named as registered (its file stem)');
    const actual = JSON.parse(snapshotText(fig)) as unknown;
    const expected = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    const difference = firstDifference(actual, expected, entry.name);
    assert.equal(difference, undefined, `${difference}\n(if the change is intended: npm run snapshots, then review git diff test/snapshots)`);
  });
}

test('every snapshot belongs to a registered figure', () => {
  const stems = fs.readdirSync(SNAPSHOT_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  assert.deepEqual(stems.sort(), FIGURES.map((f) => f.name).sort());
});

test('the comparison finds a changed number, a changed text and a missing trace (the snapshots can fail)', () => {
  const base = { data: [{ y: [1, 2] }, { name: 'b' }], layout: { title: { text: 'T' } } };
  assert.equal(firstDifference(base, structuredClone(base)), undefined);
  assert.match(firstDifference({ ...base, data: [{ y: [1, 2.001] }, { name: 'b' }] }, base) ?? '', /\.data\[0\]\.y\[1\]: 2\.001 vs snapshot 2/);
  assert.match(firstDifference({ ...base, layout: { title: { text: 'U' } } }, base) ?? '', /\.layout\.title\.text: "U" vs snapshot "T"/);
  assert.match(firstDifference({ ...base, data: [base.data[0]] }, base) ?? '', /\.data: 1 items vs snapshot 2/);
});

test('the README counts the figures run writes (the eda and segment ones; PNG, SVG and HTML each)', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
  const analysis = FIGURES.filter((f) => f.group === 'eda' || f.group === 'segments').length;
  assert.equal(analysisFigureCount(), analysis);
  assert.match(readme, new RegExp(`the ${analysis} figures`));
  assert.match(readme, new RegExp(`${3 * analysis} figure files`));
});
