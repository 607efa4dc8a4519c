/**
 * `generate --next-period` checked from the two files it relates, read with the tests' own CSV parser: every row of
 * the second period is a first-period row of a returning person, 92 days later, unchanged but for the movers'
 * balances (×factor, to the paisa), or a row of a CustomerID the first period does not use; a person returns with
 * all their rows or none; the shares of returning, moving and arriving are the ones asked for; the same options
 * give the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeGeneratedCsv, writeNextPeriodCsv } from '../src/collect/generate';
import { splitCsvLine } from './helpers/naive-csv';

const ROWS = 20_000;
const SEED = 11;
const DRIFT = { returning: 0.4, moving: 0.25, balanceFactor: 3, arriving: 0.2 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-next-'));
const FIRST = path.join(dir, 'p1.csv');
const NEXT = path.join(dir, 'p2.csv');

interface Row {
  id: string;
  customer: string;
  dob: string;
  gender: string;
  location: string;
  balance: string;
  date: string;
  time: string;
  amount: string;
}

function rowsOf(file: string): Row[] {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)');
  return lines.slice(1).map((line) => {
    const [id, customer, dob, gender, location, balance, date, time, amount] = splitCsvLine(line);
    return { id, customer, dob, gender, location, balance, date, time, amount };
  });
}

/** d/m/yy → d/m/yy n days later, by the calendar (Date.UTC), independent of the generator's date code. */
function later(text: string, days: number): string {
  const [d, m, y] = text.split('/').map(Number);
  const t = new Date(Date.UTC(2000 + y, m - 1, d) + days * 86_400_000);
  return `${t.getUTCDate()}/${t.getUTCMonth() + 1}/${String(t.getUTCFullYear() % 100).padStart(2, '0')}`;
}

/** A balance text times `factor`, rounded to the paisa, as the file writes balances (integer paise → text). */
function times(balance: string, factor: number): number {
  return Math.round(Math.round(Number(balance) * 100) * factor);
}

test('the next period: returning rows unchanged 92 days later but for the movers\' balances; new IDs only for new rows; exact shares; same bytes', async () => {
  await writeGeneratedCsv(FIRST, { rows: ROWS, seed: SEED });
  const result = await writeNextPeriodCsv(NEXT, { rows: ROWS, seed: SEED, drift: DRIFT, truth: true });
  const first = rowsOf(FIRST);
  const next = rowsOf(NEXT);
  assert.equal(first.length, ROWS);
  assert.equal(next.length, result.rows);

  // A person as the file shows one: CustomerID, birth date and gender (location can differ between a person's rows).
  const person = (r: Row) => `${r.customer}|${r.dob}|${r.gender}`;
  const firstIds = new Set(first.map((r) => r.customer));

  // Walk the second file: returning rows come first, in the first period's order.
  let j = 0;
  let i = 0;
  const status = new Map<string, 'returned' | 'moved'>();
  const skipped = new Set<string>();
  for (; i < next.length && firstIds.has(next[i].customer); i++) {
    const r = next[i];
    while (j < first.length && !(first[j].customer === r.customer && first[j].time === r.time && first[j].amount === r.amount)) skipped.add(person(first[j++]));
    assert.ok(j < first.length, `row ${i + 2} of the next period matches no remaining first-period row`);
    const f = first[j++];
    assert.deepEqual([r.dob, r.gender, r.location, r.time, r.amount], [f.dob, f.gender, f.location, f.time, f.amount], `row ${i + 2}`);
    assert.equal(r.date, later(f.date, 92), `row ${i + 2}: 92 days after ${f.date}`);
    let kind: 'returned' | 'moved';
    if (r.balance === f.balance) kind = 'returned';
    else {
      assert.equal(Math.round(Number(r.balance) * 100), times(f.balance, DRIFT.balanceFactor), `row ${i + 2}: balance ${f.balance} × ${DRIFT.balanceFactor}`);
      kind = 'moved';
    }
    // A balance of 0 or nan is the same after multiplying: only a changed balance says "moved".
    if (kind === 'moved' || !status.has(person(r))) status.set(person(r), kind);
  }
  for (; j < first.length; j++) skipped.add(person(first[j]));
  // The rest are new people, under CustomerIDs the first period does not use.
  const arrivedRows = next.length - i;
  for (; i < next.length; i++) assert.ok(!firstIds.has(next[i].customer), `row ${i + 2}: a new row under a first-period CustomerID`);
  assert.equal(arrivedRows, Math.round(DRIFT.arriving * ROWS), 'new rows: the arriving share of the first period\'s rows');

  // A person returns with all their rows or none (keys that several of the generator's people share, such as the
  // 1/1/1800 placeholder under a reused CustomerID, cannot say whose rows they are: left out).
  const truth = result.truth!;
  const people = new Map<string, number>();
  for (const p of truth) people.set(`${p.customerId}|${p.dob}|${p.gender}`, (people.get(`${p.customerId}|${p.dob}|${p.gender}`) ?? 0) + 1);
  const ambiguous = new Set([...people].filter(([, n]) => n > 1).map(([key]) => key));
  assert.ok(ambiguous.size < 0.01 * people.size, `few shared keys (${ambiguous.size})`);
  for (const p of ambiguous) {
    status.delete(p);
    skipped.delete(p);
  }
  for (const p of status.keys()) assert.ok(!skipped.has(p), `${p} returned with only some of their rows`);

  // The shares asked for, over the generator's people (its record, checked against the files above).
  const firstPeople = truth.filter((p) => p.role !== 'arrived');
  assert.equal(firstPeople.length, result.firstPeriodPeople);
  const returning = result.returned + result.moved;
  assert.equal(returning, Math.round(DRIFT.returning * result.firstPeriodPeople));
  assert.equal(result.moved, Math.round(DRIFT.moving * returning));
  assert.equal(result.quiet, result.firstPeriodPeople - returning);
  // The record agrees with the files: a person the files show moved is a mover in the record; a quiet one has no row.
  const role = new Map(truth.map((p) => [`${p.customerId}|${p.dob}|${p.gender}`, p.role]));
  for (const [p, kind] of status) if (kind === 'moved') assert.equal(role.get(p), 'moved', p);
  for (const p of skipped) if (!status.has(p)) assert.equal(role.get(p), 'quiet', p);
  // …and the movers of the record show a changed balance (all but those whose balances are all 0 or missing).
  const recordMovers = [...status.keys()].filter((p) => role.get(p) === 'moved').length;
  const seenMovers = [...status.values()].filter((kind) => kind === 'moved').length;
  assert.ok(recordMovers > 0.2 * status.size && seenMovers >= 0.95 * recordMovers, `movers: ${seenMovers} seen of ${recordMovers} recorded`);
  assert.equal(result.firstDate, '2016-11-01');
  assert.equal(result.lastDate, '2017-01-21');

  // Same options, same bytes.
  const again = path.join(dir, 'again.csv');
  await writeNextPeriodCsv(again, { rows: ROWS, seed: SEED, drift: DRIFT });
  const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  assert.equal(hash(again), hash(NEXT));
  fs.rmSync(dir, { recursive: true, force: true });
});
