/**
 * Segments a marketing team can trust (issue 10), on the real 20,000 rows and on the default generated data:
 * - the recommended k and the segment names are the same for seeds 1, 2 and 3;
 * - fits on two disjoint halves of the customers agree at ARI >= 0.9;
 * - every word of every name holds for at least half of the segment's members, recomputed here from customers.csv
 *   with the thresholds of docs/data-model.md (section 7), not with the naming code;
 * - no segment has a majority of members whose CustomerID other people use too, found here from the raw file;
 * - the RFM scores and segments are in customers.csv, segments.json and the report, with the cross-tab.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadData } from '../src/preprocess/load';
import { segmentCustomers } from '../src/segment';
import { splitHalfAgreement } from '../src/segment/select';
import { profileSegmentation } from '../src/insights/profile';
import { dayCountsOf } from '../src/insights/caveats';
import { defaultRawPath } from '../src/collect/generate';
import { ensureDefaultData } from '../src/collect/default_data';
import { writeSegmentOutputs } from '../src/insights/outputs';
import { writeInsightsReport } from '../src/insights/report';
import { REAL_RAW } from './helpers/real-data';
import { splitCsvLine } from './helpers/naive-csv';

const SEEDS = [1, 2, 3];

/** The words of docs/data-model.md section 7 as predicates on a customers.csv row (an empty cell is unknown). */
type Row = Record<string, string>;
const num = (x: string): number => (x === '' ? NaN : Number(x));
function wordHolds(word: string, r: Row, lowThird: number, topThird: number): boolean {
  const age = num(r.age);
  const balance = num(r.balance);
  const total = num(r.monetaryTotal);
  const recency = num(r.recencyDays);
  switch (word) {
    case 'recent': return recency <= 14;
    case 'lapsed': return recency >= 60;
    case 'early-seen': return recency >= 60;
    case 'young': return age < 30;
    case 'mid-age': return age >= 30 && age < 45;
    case 'older': return age >= 45 && age < 60;
    case 'senior': return age >= 60;
    case 'low-balance': return balance < 5_000;
    case 'high-balance': return balance >= 50_000;
    case 'affluent': return balance >= 500_000;
    case 'low-value': return total <= lowThird;
    case 'high-value': return total >= topThird;
    case 'repeat': return num(r.frequency) >= 2;
    default: throw new Error(`a name uses "${word}", which docs/data-model.md does not define`);
  }
}

/** `young low-balance customers 2` → ['young', 'low-balance']; `mainstream customers` claims nothing. */
function wordsOf(name: string): string[] {
  const m = /^(.*?) ?customers( \d+)?$/.exec(name);
  assert.ok(m, `name "${name}" ends in "customers"`);
  return m[1] === 'mainstream' || m[1] === '' ? [] : m[1].split(' ');
}

/** Type-7 quantile of the values. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/** customers.csv as rows of named cells (plain split: the file quotes nothing but keys never hold commas). */
function readCustomers(file: string): Row[] {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: Row = {};
    header.forEach((h, j) => (row[h] = cells[j]));
    return row;
  });
}

/** CustomerIDs of the raw file whose rows carry more than one (DOB text, gender text): read without the project's code. */
function idsWithSeveralPeople(rawFile: string): Set<string> {
  const lines = fs.readFileSync(rawFile, 'utf8').split('\n');
  const header = splitCsvLine(lines[0]);
  const [id, dob, gender] = ['CustomerID', 'CustomerDOB', 'CustGender'].map((c) => header.indexOf(c));
  const seen = new Map<string, string>();
  const several = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const f = splitCsvLine(lines[i]);
    // Spellings of "unknown" collapse: a missing DOB and the 1800 placeholder are both unknown, T is no gender.
    const d = f[dob] === '' || f[dob].toLowerCase() === 'nan' || f[dob].endsWith('1800') ? '?' : f[dob];
    const g = f[gender] === 'M' || f[gender] === 'F' ? f[gender] : '?';
    const who = `${d}|${g}`;
    const before = seen.get(f[id]);
    if (before === undefined) seen.set(f[id], who);
    else if (before !== who) several.add(f[id]);
  }
  return several;
}

function checks(label: string, input: string | undefined): void {
  describe(label, () => {
    let dir: string;
    const seeds: { k: number; names: string[]; sizes: number[] }[] = [];
    let halves = NaN;
    let rows: Row[];
    let doc: any;
    let report: string;

    before(async () => {
      process.env.BANKSEG_QUIET = '1';
      const data = await loadData({ input: input ?? (await ensureDefaultData()) });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-trust-'));
      const days = dayCountsOf(data); // as the commands do: the transactions per day tell the names about a thin end
      for (const seed of SEEDS) {
        const seg = profileSegmentation(data.features, segmentCustomers(data.features, { seed }), days);
        seeds.push({ k: seg.k, names: seg.segments.map((s) => s.name), sizes: seg.segments.map((s) => s.size) });
        if (seed !== 1) continue;
        halves = splitHalfAgreement(seg.space, seg.k, { seed: 1, splitSeed: 1 });
        // The files `bankseg segment --seed 1` writes (test/segment_cli.test.ts runs the command itself).
        await writeSegmentOutputs(seg, data.features, dir);
        await writeInsightsReport(seg, data, dir);
      }
      rows = readCustomers(path.join(dir, 'customers.csv'));
      doc = JSON.parse(fs.readFileSync(path.join(dir, 'segments.json'), 'utf8'));
      report = fs.readFileSync(path.join(dir, 'insights.md'), 'utf8');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('seeds 1, 2 and 3 recommend the same k and give the same segment names', () => {
      for (const s of seeds.slice(1)) {
        assert.equal(s.k, seeds[0].k, `k: ${seeds.map((x) => x.k)}`);
        assert.deepEqual(s.names, seeds[0].names);
      }
      assert.ok(seeds[0].k >= 2);
    });

    test('fits on two disjoint halves of the customers agree at ARI >= 0.9', () => {
      assert.ok(halves >= 0.9, `ARI ${halves}`);
    });

    test("every word of every name holds for at least half of the segment's members (recomputed from customers.csv)", () => {
      const totals = rows.map((r) => num(r.monetaryTotal));
      const low = quantile(totals, 1 / 3);
      const top = quantile(totals, 2 / 3);
      for (const s of doc.segments) {
        const members = rows.filter((r) => Number(r.segment) === s.id);
        assert.equal(members.length, s.size);
        for (const word of wordsOf(s.name)) {
          const share = members.filter((r) => wordHolds(word, r, low, top)).length / members.length;
          assert.ok(share >= 0.5, `${s.name}: "${word}" holds for ${(100 * share).toFixed(1)}%`);
          // The share the report prints is this one (up to the rounding of customers.csv).
          const printed = s.nameWords.find((w: { word: string }) => w.word === word);
          assert.ok(printed && Math.abs(printed.share - share) < 2e-3, `${s.name}: "${word}" ${printed?.share} vs ${share}`);
        }
      }
    });

    test("no name or sentence says customers lapsed when the report's caveats say recency describes a sample", () => {
      // Independently of the project's code: transactions per customer from customers.csv (both datasets: 1.00).
      const perCustomer = rows.reduce((s, r) => s + Number(r.frequency), 0) / rows.length;
      assert.ok(perCustomer < 1.5, `${perCustomer} transactions per customer`);
      assert.match(report, /A sample, not the full book: .* frequency and recency describe the sample/);
      assert.doesNotMatch(report, /\blapsed\b|[Rr]eactivat|last transacted|stopped transacting/);
      // The customers not seen in the last 60 days are still named, for what the data shows.
      const early = doc.segments.filter((s: { name: string }) => /^early-seen /.test(s.name));
      assert.equal(early.length, 1, doc.segments.map((s: { name: string }) => s.name).join(', '));
      assert.match(report, /\*early-seen\* = last seen in the data on or before 2016-08-22 \(60 or more days before the as-of date\); not seen since does not mean they stopped banking, because the rows look like a sample/);
      assert.match(report, /R ranks when a customer was last seen in these rows; since the rows look like a sample/);
    });

    test('no segment has a majority of its members under a CustomerID used by several people', () => {
      const several = idsWithSeveralPeople(input ?? defaultRawPath());
      assert.ok(several.size > 0, 'the data do reuse IDs');
      for (const s of doc.segments) {
        const members = rows.filter((r) => Number(r.segment) === s.id);
        const share = members.filter((r) => several.has(r.CustomerID)).length / members.length;
        assert.ok(share < 0.5, `${s.name}: ${(100 * share).toFixed(1)}% of members under reused IDs`);
        assert.ok(Math.abs(share - s.reusedIdShare) < 1e-9, `${s.name}: reported ${s.reusedIdShare}, recomputed ${share}`);
      }
    });

    test('RFM scores and segments are in customers.csv, segments.json and the report, with the cross-tab', () => {
      const names = doc.rfm.segments.map((s: { name: string }) => s.name);
      const counts = new Map<string, number>();
      for (const r of rows) {
        assert.ok(names.includes(r.rfmSegment), r.rfmSegment);
        assert.ok(['1', '2'].includes(r.rfmF) && /^[1-5]$/.test(r.rfmR) && /^[1-5]$/.test(r.rfmM));
        counts.set(r.rfmSegment, (counts.get(r.rfmSegment) ?? 0) + 1);
      }
      doc.rfm.segments.forEach((s: { name: string; customers: number }) => assert.equal(s.customers, counts.get(s.name) ?? 0, s.name));
      // The cross-tab of the file equals the one in segments.json, and its rows sum to the segment sizes.
      doc.segments.forEach((s: { id: number; size: number }) => {
        const row = names.map((n: string) => rows.filter((r) => Number(r.segment) === s.id && r.rfmSegment === n).length);
        assert.deepEqual(row, doc.rfm.crossTab[s.id]);
      });
      assert.match(report, /## RFM segments beside the k-means segments/);
      assert.match(report, /Customers by k-means segment \(rows\) and RFM segment \(columns\):/);
      for (const s of doc.segments) assert.ok(report.includes(`| ${s.name} | ${doc.rfm.crossTab[s.id].map((x: number) => x.toLocaleString('en-US')).join(' | ')} |`), s.name);
    });
  });
}

checks('the real 20,000 rows', REAL_RAW);
checks('the default data (1,048,567 generated rows)', undefined);
