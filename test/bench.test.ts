import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  agreementChecks,
  DATA_STAGES,
  compareSweeps,
  formatTable,
  growthExponent,
  median,
  ratios,
  relativeDifference,
  RunResult,
  SameStart,
  sameStartChecks,
  STAGES,
  summarise,
} from '../bench/lib_compare';
import { categoryCounts, featureSums } from '../bench/lib_features';
import { PYTHON, REFERENCE_SCRIPTS } from '../bench/lib_child';
import { CpuProfile, hotFunctionsByStage } from '../bench/lib_profile';
import { readTransactions } from '../src/collect/read';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { createRng } from '../src/stats/random';
import { fitKMeans, lloyd } from '../src/segment/kmeans';
import { buildModelSpace } from '../src/segment/space';
import { hostileCsv } from './helpers/hostile-csv';
import { REAL_RAW } from './helpers/real-data';

const ROOT = path.resolve(__dirname, '..');
const REAL = REAL_RAW;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const stages = (x: number) => Object.fromEntries(STAGES.map((s, i) => [s, x * (i + 1)])) as RunResult['stages'];

function run(side: 'ts' | 'polars' | 'pandas', over: Partial<RunResult> = {}): RunResult {
  return {
    side,
    stages: stages(1),
    total: 21,
    cpuStages: stages(1),
    maxRssMB: 100,
    rowsRead: 1000,
    malformed: 0,
    rowsKept: 1000,
    customers: 900,
    featureSums: { recencyDays: 12345, monetaryTotal: 1.5e9, balanceKnown: 899 },
    categoryCounts: { gender: { F: 300, M: 590, unknown: 10 }, timeOfDay: { night: 0, morning: 900 } },
    k: 4,
    inertia: 1000,
    silhouette: 0.3,
    daviesBouldin: 1,
    calinskiHarabasz: 100,
    sweep: [],
    wall: 25,
    ...over,
  };
}

describe('bench arithmetic', () => {
  test('median of odd and even counts, input untouched', () => {
    const xs = [5, 1, 3];
    assert.equal(median(xs), 3);
    assert.deepEqual(xs, [5, 1, 3]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });

  test('summarise takes per-stage medians and the highest RSS; ratios are bankseg ÷ reference', () => {
    const ts = summarise([run('ts', { stages: stages(1), wall: 10, maxRssMB: 300 }), run('ts', { stages: stages(3), wall: 30, maxRssMB: 200 }), run('ts', { stages: stages(2), wall: 20, maxRssMB: 100 })]);
    assert.equal(ts.stages.read, 2);
    assert.equal(ts.stages.metrics, 12);
    assert.equal(ts.wall, 20);
    assert.equal(ts.maxRssMB, 300);
    assert.equal(ts.cpuTotal, 21); // 1+2+...+6 of the middle run (all runs have the same cpuStages)
    assert.deepEqual(DATA_STAGES, ['read', 'preprocess', 'features']);
    assert.equal(ts.dataStages, 2 * (1 + 2 + 3)); // read + preprocess + features of the middle run (stages(2))
    assert.equal(ts.cpuDataStages, 1 + 2 + 3);
    const py = summarise([run('pandas', { stages: stages(4), wall: 80, maxRssMB: 600 })]);
    const r = ratios(ts, py);
    assert.equal(r.read, 0.5);
    assert.equal(r.wall, 0.25);
    assert.equal(r.maxRssMB, 0.5);
    assert.equal(r.dataStages, 12 / 24);
  });

  test('relativeDifference', () => {
    assert.equal(relativeDifference(0, 0), 0);
    assert.equal(relativeDifference(99, 100), 0.01);
    assert.equal(relativeDifference(-2, 2), 2);
  });

  test('agreement: identical runs pass every check', () => {
    const checks = agreementChecks(run('ts'), run('pandas'));
    assert.ok(checks.length >= 4 + 3 + 5 + 2);
    assert.deepEqual(checks.filter((c) => !c.ok), []);
  });

  const failing = (ts: Partial<RunResult>, py: Partial<RunResult> = {}) =>
    agreementChecks(run('ts', ts), run('pandas', py))
      .filter((c) => !c.ok)
      .map((c) => c.name);

  test('agreement: counts must be equal', () => {
    assert.deepEqual(failing({ rowsKept: 999 }), ['rows kept']);
    assert.deepEqual(failing({ malformed: 1 }), ['malformed rows']);
    assert.deepEqual(failing({ customers: 901 }), ['customers']);
    assert.deepEqual(failing({ categoryCounts: { gender: { F: 301, M: 589, unknown: 10 }, timeOfDay: { night: 0, morning: 900 } } }), [
      'gender = F',
      'gender = M',
    ]);
    // A category one side lacks counts as 0 on that side.
    assert.deepEqual(failing({ categoryCounts: { gender: { F: 300, M: 590, unknown: 10 }, timeOfDay: { morning: 900 } } }), []);
  });

  test('agreement: feature sums to 1e-9 relative', () => {
    assert.deepEqual(failing({ featureSums: { recencyDays: 12345, monetaryTotal: 1.5e9 + 1, balanceKnown: 899 } }), []); // 6.7e-10
    assert.deepEqual(failing({ featureSums: { recencyDays: 12345, monetaryTotal: 1.5e9 + 2, balanceKnown: 899 } }), ['feature sum monetaryTotal']);
    assert.deepEqual(failing({ featureSums: { recencyDays: 12345, monetaryTotal: 1.5e9 } }), ['feature sum balanceKnown']);
  });

  test('agreement: inertia at most 1% above scikit-learn\'s (a lower one is a better optimum), silhouette within 0.02', () => {
    assert.deepEqual(failing({ inertia: 1009.9 }), []);
    assert.deepEqual(failing({ inertia: 990.1 }), []);
    assert.deepEqual(failing({ inertia: 1010.1 }), ['inertia (k=4)']);
    assert.deepEqual(failing({ inertia: 950 }), []);
    assert.deepEqual(failing({ inertia: NaN }), ['inertia (k=4)']);
    assert.deepEqual(failing({ silhouette: 0.319 }), []);
    assert.deepEqual(failing({ silhouette: 0.321 }), ['silhouette']);
    assert.deepEqual(failing({ silhouette: 0.279 }), ['silhouette']);
    assert.deepEqual(failing({ k: 5 }), ['k']);
  });

  test('same start: scikit-learn from bankseg\'s centroids must find its inertia to 1e-9 and move nobody', () => {
    const start = (over: Partial<SameStart> = {}): SameStart => ({ k: 4, inertiaAtStart: 1000, inertiaRefined: 1000, iterations: 1, moved: 0, ...over });
    const failed = (over: Partial<SameStart>) => sameStartChecks(run('ts'), start(over)).filter((c) => !c.ok).map((c) => c.name);
    assert.deepEqual(failed({}), []);
    assert.deepEqual(failed({ inertiaAtStart: 1000 * (1 + 5e-10), inertiaRefined: 1000 * (1 - 5e-10) }), []);
    assert.deepEqual(failed({ inertiaAtStart: 1000.01 }), ["same start: inertia of bankseg's centroids"]);
    // 2.5e-6 lower after one more Lloyd step: what a fit stopped at tolerance 1e-4 instead of convergence gave.
    assert.deepEqual(failed({ inertiaRefined: 999.9975, moved: 26 }), ["same start: inertia after scikit-learn's Lloyd", 'same start: share of customers moved']);
    assert.deepEqual(failed({ k: 5 }), ['same start: k']);
  });

  test('compareSweeps pairs the same k and signs the inertia gap (positive = TS worse)', () => {
    const p = (k: number, inertia: number) => ({ k, inertia, silhouette: 0.1 * k, daviesBouldin: 1, calinskiHarabasz: 1 });
    const c = compareSweeps([p(2, 110), p(3, 50)], [p(2, 100), p(3, 50), p(4, 40)]);
    assert.deepEqual(c.map((x) => [x.k, x.inertia.relative]), [[2, 0.1], [3, 0]]);
  });

  test('growthExponent recovers the power of a power law', () => {
    const law = (b: number) => [1e5, 1e6, 5e6].map((rows) => ({ rows, seconds: 3e-6 * rows ** b }));
    assert.ok(Math.abs(growthExponent(law(1)) - 1) < 1e-12);
    assert.ok(Math.abs(growthExponent(law(1.5)) - 1.5) < 1e-12);
    assert.ok(Math.abs(growthExponent([{ rows: 10, seconds: 2 }, { rows: 1000, seconds: 2 }])) < 1e-12);
    assert.ok(Number.isNaN(growthExponent([{ rows: 10, seconds: 2 }])));
  });

  test('formatTable aligns the first column left and the rest right', () => {
    assert.equal(formatTable(['a', 'bb'], [['xyz', '1'], ['q', '100']]), 'a     bb\n---  ---\nxyz    1\nq    100');
  });
});

describe('CPU profile attribution', () => {
  test('self time per function within each stage window', () => {
    // Samples at t = 100, 110, 130, 160 (µs); each stands for the gap to the next one: 10, 20, 30, 0.
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: 'parse', url: `file://${ROOT}/src/collect/csv.ts`, lineNumber: 9 } },
        { id: 2, callFrame: { functionName: '', url: '', lineNumber: -1 } },
        { id: 3, callFrame: { functionName: 'lloyd', url: `file://${ROOT}/src/segment/kmeans.ts`, lineNumber: 132 } },
      ],
      startTime: 90,
      endTime: 170,
      samples: [1, 2, 1, 3],
      timeDeltas: [10, 10, 20, 30],
    };
    const hot = hotFunctionsByStage(profile, { read: [100, 150], kSweep: [150, 200] }, ROOT);
    assert.deepEqual(hot.read, [
      { fn: 'parse (src/collect/csv.ts:10)', selfSeconds: 40e-6, share: 40 / 60 },
      { fn: '(anonymous)', selfSeconds: 20e-6, share: 20 / 60 },
    ]);
    assert.deepEqual(hot.kSweep, [{ fn: 'lloyd (src/segment/kmeans.ts:133)', selfSeconds: 0, share: 0 }]);
  });
});

type Ref = keyof typeof REFERENCE_SCRIPTS;
const REFS = Object.keys(REFERENCE_SCRIPTS) as Ref[];

/** Runs a reference script and returns its JSON line; the optional feature dump is parsed into rows. */
function reference(ref: Ref, input: string, extra: string[] = []): Record<string, any> {
  const r = spawnSync(PYTHON, [REFERENCE_SCRIPTS[ref], '--input', input, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function readDump(file: string): Record<string, string>[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, j) => [names[j], v])));
}

describe('the references (bench/reference.py: pandas, bench/polars_reference.py: Polars)', () => {
  // Columns reordered, an extra column, a quoted field; every cleaning rule and every kind of malformed row.
  const FIXTURE = [
    'CustomerID,TransactionID,Note,TransactionDate,TransactionTime,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionAmount (INR)',
    'C1,T1,x,2/8/16,143207,1/1/1800,M,MUMBAI,1000,100', // placeholder DOB
    'C2,T2,x,3/8/16,90000,5/5/20,M,"JORHAT, ASSAM",2000,200', // DOB 20 → 2020 > 2016 → 1920: age 96
    'C1,T3,x,5/8/16,100000,1/1/1800,M,DELHI,,300', // the same person (placeholder, M), missing balance
    'C3,T4,x,5/8/16,235959,nan,T,,500,-50', // negative amount: dropped (C3 has no other row)
    'C4,T5,x,6/8/16,1,29/2/00,F,MUMBAI,300,50', // 29/2/2000 exists: age 16, a minor
    'C5,T6,x,01-08-1999,120000,29/2/00,M,PUNE,nan,60', // 2000 > 1999 → 29/2/1900, no such day: age unknown
    'C4,T7,x,10/8/16,120000,29/2/00,F,MUMBAI,400,70', // the same person; the latest date in the data
    'C6,T8,x,7/8/16,80000,1/1/1900,T,MUMBAI,5000,80', // age 116: impossible; gender T
    'C6,T9,x,7/8/16,200000,,,,6000,90', // all missing: another person under C6 (reused ID); balance capped
    'C7,T10,x,8/8/16,120000,1/1/80,F,NOIDA,111,10',
    'C7,T11,x,8/8/16,120000,1/1/80,F,NOIDA,222,100000', // same date and time: the later row is the latest; amount capped
    'C8,T12,x,31/2/16,120000,1/1/80,M,NOIDA,1,1', // malformed: no such date
    'C8,T13,x,1/8/16,126000,1/1/80,M,NOIDA,1,1', // malformed: 60 minutes
    'C8,,x,1/8/16,120000,1/1/80,M,NOIDA,1,1', // malformed: no TransactionID
    'C8,T15,x,1/8/16,120000,1/1/80,M,NOIDA,1,1,extra', // malformed: 11 fields
    'C8,T16,x,1/8/16,120000,1/1/80,M,NOIDA,1,abc', // malformed: amount not a number
    'C8,T17,x,1/8/16,120000,32/1/80,M,NOIDA,1,1', // malformed: DOB not a date
    'C8,T18,x,1/8/16', // malformed: 4 fields
  ].join('\n');
  // Worked by hand. Caps (type 7, q = 0.999): amounts sorted 10 50 60 70 80 90 100 200 300 100000, h = 9 × 0.999 = 8.991,
  // cap = 300 + 0.991 × 99700 = 99102.7; balances 111 222 300 400 1000 2000 5000 6000, h = 6.993, cap = 5000 + 0.993 × 1000 = 5993.
  // End date 10/8/16; C5's last date 1/8/1999 is 17 × 365 + 5 leap days + 9 = 6219 days earlier.
  // Customers are (CustomerID, birth date, gender): C6's two rows are two people. C4, born 29/2/2000, is 16 on 10/8/16
  // (6,007 days). Top 2 locations by customers: MUMBAI (C4, C6 born 1900), then DELHI, first alphabetically among the ties at 1.
  const EXPECTED = [
    ['C1|?|M', '5.0', '2.0', '400.0', '200.0', '1000.0', '', 'M', 'DELHI', 'morning'],
    ['C2|1920-05-05|M', '7.0', '1.0', '200.0', '200.0', '2000.0', '96.0', 'M', 'OTHER', 'morning'],
    ['C4|2000-02-29|F', '0.0', '2.0', '120.0', '60.0', '400.0', '16.0', 'F', 'MUMBAI', 'night'],
    ['C5|?|M', '6219.0', '1.0', '60.0', '60.0', '', '', 'M', 'OTHER', 'afternoon'],
    ['C6|1900-01-01|?', '3.0', '1.0', '80.0', '80.0', '5000.0', '', '', 'MUMBAI', 'morning'],
    ['C6|?|?', '3.0', '1.0', '90.0', '90.0', '5993.0', '', '', 'OTHER', 'evening'],
    ['C7|1980-01-01|F', '2.0', '2.0', '99112.7', '49556.35', '222.0', '36.0', 'F', 'OTHER', 'afternoon'],
  ];
  const COLUMNS = ['customerId', 'recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age', 'gender', 'location', 'timeOfDay'];
  const ARGS = ['--k', '2', '--k-max', '3', '--sample', '7', '--n-init', '2', '--top-locations', '2'];

  function checkFixture(ref: Ref, input: string): void {
    const dump = path.join(tmp, `${ref}-${path.basename(input)}.features.csv`);
    const out = reference(ref, input, [...ARGS, '--dump-features', dump]);
    assert.equal(out.rowsRead, 11);
    assert.equal(out.malformed, 7);
    assert.equal(out.rowsKept, 10);
    assert.equal(out.customers, 7);
    assert.ok(Math.abs(out.caps.amount - 99102.7) < 1e-9 * 99102.7, `amount cap ${out.caps.amount}`);
    assert.ok(Math.abs(out.caps.balance - 5993) < 1e-9 * 5993, `balance cap ${out.caps.balance}`);
    const rows = readDump(dump);
    assert.deepEqual(rows.map((r) => r.customerId), EXPECTED.map((e) => e[0]));
    rows.forEach((r, i) =>
      COLUMNS.forEach((c, j) => {
        const want = EXPECTED[i][j];
        const close = /^[\d.]+$/.test(want) && Math.abs(Number(r[c]) - Number(want)) < 1e-9 * Math.max(1, Number(want));
        assert.ok(close || r[c] === want, `${r.customerId} ${c}: got ${r[c]}, expected ${want}`);
      }),
    );
    if (ref === 'pandas') assert.deepEqual(out.quality, {
      'dropped.negativeAmount': 1,
      'keptMissing.dob': 1,
      'changed.dobPlaceholder': 2,
      'counted.dobCenturyResolved': 6,
      'changed.ageImpossible': 2,
      'changed.ageTooYoung': 0,
      'counted.minors': 2,
      'changed.genderOther': 1,
      'keptMissing.gender': 1,
      'keptMissing.location': 1,
      'keptMissing.balance': 2,
      'changed.amountCapped': 1,
      'changed.balanceCapped': 1,
      'counted.reusedIds': 1,
      inputRows: 11,
      outputRows: 10,
    });
    assert.equal(out.sweep.length, 2);
    assert.equal(out.featureSums.frequency, 10);
  }

  for (const ref of REFS) {
    test(`${ref}: hand-worked fixture: reading, cleaning rules 1–10 and features`, () => {
      const file = path.join(tmp, 'fixture.csv');
      fs.writeFileSync(file, FIXTURE + '\n');
      checkFixture(ref, file);
    });

    test(`${ref}: gzip is detected by its magic bytes, not the name`, () => {
      const file = path.join(tmp, 'fixture-gz.csv');
      fs.writeFileSync(file, zlib.gzipSync(FIXTURE + '\n'));
      checkFixture(ref, file);
    });

    test(`${ref}: a missing column is a one-line error, worded as bankseg words it`, () => {
      const file = path.join(tmp, 'no-amount.csv');
      fs.writeFileSync(file, 'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime\n');
      const r = spawnSync(PYTHON, [REFERENCE_SCRIPTS[ref], '--input', file], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr.trim(), /^error: .*no-amount\.csv: header lacks column\(s\) TransactionAmount \(INR\) \(expected: /);
    });

    test(`${ref}: real rows: the counts of data/README.md`, () => checkReal(ref));
  }

  function checkReal(ref: Ref): void {
    const dump = path.join(tmp, `${ref}-real.features.csv`);
    const out = reference(ref, REAL, ['--k-max', '2', '--k', '2', '--sample', '500', '--n-init', '1', '--dump-features', dump]);
    assert.equal(out.rowsKept, 20_000);
    assert.equal(out.malformed, 0);
    assert.equal(out.customers, 19_999); // 19,937 CustomerIDs, 62 of them reused by two people
    if (ref === 'pandas') {
      assert.equal(out.quality['counted.reusedIds'], 62);
      assert.equal(out.quality['changed.ageTooYoung'], 6);
      assert.equal(out.quality['counted.minors'], 36);
      assert.equal(out.quality['keptMissing.dob'], 72);
      assert.equal(out.quality['changed.dobPlaceholder'], 1290);
      assert.equal(out.quality['keptMissing.gender'], 11);
      assert.equal(out.quality['keptMissing.location'], 1);
      assert.equal(out.quality['keptMissing.balance'], 27);
    }
    assert.equal(out.featureSums.frequency, 20_000);
    // T1: C5841053, born 10/1/94, one transaction of 25.0 on 2/8/16 at 14:32:07; the data end on 21/10/16 (80 days later).
    const first = readDump(dump)[0];
    assert.deepEqual(
      [first.customerId, first.recencyDays, first.frequency, first.monetaryTotal, first.balance, first.age, first.gender, first.timeOfDay],
      ['C5841053|1994-01-10|F', '80.0', '1.0', '25.0', '17819.05', '22.0', 'F', 'afternoon'],
    );
  }
});

/**
 * bankseg's reader, cleaning and features (run here, in process) against both references on generated files with
 * every reading rule at work: the same malformed count, rows, customers, feature sums and category counts; then the
 * same model space (same-start k-means check).
 */
describe('the references read hostile files exactly as bankseg does', () => {
  const cases = [
    { seed: 11, rows: 1500, crlf: false, bom: false, encoding: 'utf8' },
    { seed: 12, rows: 1500, crlf: true, bom: true, encoding: 'utf8' },
    { seed: 13, rows: 800, crlf: false, bom: false, encoding: 'gzip' },
    { seed: 14, rows: 800, crlf: true, bom: false, encoding: 'utf16le' },
  ] as const;
  for (const c of cases) {
    test(`seed ${c.seed}: ${c.rows} lines, ${c.encoding}${c.crlf ? ', CRLF' : ''}${c.bom ? ', BOM' : ''}`, async () => {
      const text = hostileCsv(createRng(c.seed), c.rows, c);
      const file = path.join(tmp, `hostile-${c.seed}.csv`);
      if (c.encoding === 'gzip') fs.writeFileSync(file, zlib.gzipSync(text));
      else if (c.encoding === 'utf16le') fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      else fs.writeFileSync(file, text);
      const raw = await readTransactions(file, { threads: 1 });
      const { table } = cleanTransactions(raw);
      const features = customerFeatures(table);
      assert.ok(raw.malformed.count > c.rows / 20, `only ${raw.malformed.count} malformed rows`);
      const ts = {
        malformed: raw.malformed.count, rowsKept: table.rows, customers: features.n,
        featureSums: featureSums(features), categoryCounts: categoryCounts(features),
      };
      for (const ref of REFS) {
        const out = reference(ref, file, ['--k-max', '2', '--k', '2', '--sample', '200', '--n-init', '1']);
        const failed = agreementChecks({ ...run('ts'), ...ts, k: 2 }, { ...run(ref), ...out, inertia: 1000, silhouette: 0.3 })
          .filter((x) => !x.ok)
          .map((x) => `${x.name}: bankseg ${x.ts} vs ${x.reference}`);
        assert.deepEqual(failed, [], ref);
      }
      // The model space too (overdrafts read as 0 by log1p): each reference's scikit-learn, started from bankseg's
      // converged centroids on its own model space, must find bankseg's inertia and move nobody.
      assert.ok(features.balance.some((v) => v < 0), 'no overdrawn customer in the file');
      const space = buildModelSpace(features);
      const fit = lloyd(space, fitKMeans(space, 3, { seed: c.seed }).centroids, 3, { tolerance: 0 });
      const centroids = path.join(tmp, `hostile-${c.seed}.centroids.json`);
      fs.writeFileSync(centroids, JSON.stringify(Array.from(fit.centroids)));
      for (const ref of REFS) {
        const out = reference(ref, file, ['--start-centroids', centroids]);
        const failed = sameStartChecks({ ...run('ts'), customers: features.n, k: 3, inertia: fit.inertia }, out.sameStart)
          .filter((x) => !x.ok)
          .map((x) => `${x.name}: bankseg ${x.ts} vs ${x.reference}`);
        assert.deepEqual(failed, [], ref);
      }
    });
  }
});

describe('npm run bench (smoke)', () => {
  test('both sides run, every stage is timed, the agreement checks pass', () => {
    const out = path.join(tmp, 'results.json');
    const r = spawnSync(
      'npm',
      ['run', '--silent', 'bench', '--', '--rows', '50000', '--runs', '1', '--k-max', '4', '--sample', '2000', '--out', out],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BANKSEG_QUIET: '1' } },
    );
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const results = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(results.agreement, true);
    const size = results.sizes[0];
    assert.equal(size.rows, 50_000);
    for (const side of ['ts', 'polars', 'pandas']) {
      assert.equal(size.runs[side].length, 1, side);
      const run = size.runs[side][0];
      for (const s of STAGES) assert.ok(Number.isFinite(run.stages[s]) && run.stages[s] >= 0, `${side} ${s}`);
      assert.ok(run.maxRssMB > 10 && run.wall > 0, side);
      assert.equal(run.sweep.length, 3, side);
    }
    for (const ref of ['polars', 'pandas']) {
      const checks: { name: string; ok: boolean }[] = size.references[ref].checks;
      assert.ok(checks.some((c) => c.name === 'rows kept') && checks.some((c) => c.name.startsWith('inertia')), ref);
      assert.ok(checks.every((c) => c.ok), `${ref}: ${JSON.stringify(checks.filter((c) => !c.ok))}`);
      // The deterministic k-means check: scikit-learn from bankseg's delivered centroids, no random numbers involved.
      assert.equal(checks.filter((c) => c.name.startsWith('same start:')).length, 4, ref);
      const ratios = results.references[ref].ratios;
      for (const key of ['whole', 'dataStages', 'rss']) assert.ok(Number.isFinite(ratios[key]) && ratios[key] > 0, `${ref} ${key}`);
    }
    assert.ok(results.machine.cores >= 1 && typeof results.machine.node === 'string');
    assert.ok(Array.isArray(results.machine.loadAverage.start));
    assert.match(r.stdout, /÷ polars/);
  });
});
