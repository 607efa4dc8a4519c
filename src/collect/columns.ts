/**
 * The one-line wording of a malformed row and the examples cap, shared by every reader; and the typed columns of a
 * TransactionTable while the database reader (src/collect/db/read.ts) reads it: growable arrays, the malformed-row
 * bookkeeping, and the final assembly. (The file reader keeps its own columns: src/collect/rows.ts, merge.ts.)
 */
import { count } from '../format';
import { MalformedRow, TransactionTable } from '../table';
import { grown } from './grown';

/** How many malformed rows are kept as examples (all are counted). */
export const MALFORMED_EXAMPLES = 10;

/** The one-line message for a malformed row: `file:line: column <name>: value "<v>": expected <what>`. */
export function formatMalformed(m: MalformedRow): string {
  return `${m.file}:${m.line}: column ${m.column}: value ${JSON.stringify(m.value)}: expected ${m.expected}`;
}

/**
 * The stderr line of a command whose reader skipped malformed rows (none: undefined), e.g. `bankseg segment: warning:
 * skipped 2 malformed row(s); first at line 20002, column TransactionTime`. The data-quality report lists them all.
 */
export function skippedRowsWarning(command: string, malformed: TransactionTable['malformed']): string | undefined {
  if (malformed.count === 0) return undefined;
  const first = malformed.examples[0];
  const where = first ? `; first at line ${first.line}, column ${first.column}` : '';
  return `bankseg ${command}: warning: skipped ${count(malformed.count)} malformed row(s)${where}\n`;
}

/**
 * The malformed rows a reader skipped, as the reports list them (profile, data-quality report): one indented line per
 * kept example, then how many more. O(examples).
 * @example
 * malformedLines({ count: 12, examples: [m] }) // ['    line 103: column CustomerID: value "x\"y": expected …', '    ... and 11 more']
 */
export function malformedLines(malformed: { readonly count: number; readonly examples: readonly MalformedRow[] }, indent = '    '): string[] {
  const lines = malformed.examples.map((m) => `${indent}line ${m.line}: column ${m.column}: value ${JSON.stringify(m.value)}: expected ${m.expected}`);
  const more = malformed.count - malformed.examples.length;
  if (more > 0) lines.push(malformed.examples.length > 0 ? `${indent}... and ${count(more)} more` : `${indent}(${count(more)} not listed)`);
  return lines;
}

/** The distinct values of the four dictionary columns (value k has code k); the readers' dictionaries own them. */
export interface ColumnDictionaries {
  readonly customerId: readonly string[];
  readonly customerDob: readonly string[];
  readonly custGender: readonly string[];
  readonly custLocation: readonly string[];
}

/**
 * Growable typed columns for valid rows, plus the count and first MALFORMED_EXAMPLES of the malformed ones.
 * push is O(1) amortised (columns double when full); table() is O(rows) (one copy to the exact length).
 */
export class TransactionColumnsBuilder {
  private n = 0;
  private capacity: number;
  private readonly transactionId: string[] = [];
  private customer: Int32Array;
  private dob: Int32Array;
  private gender: Int32Array;
  private location: Int32Array;
  private balance: Float64Array;
  private date: Int32Array;
  private time: Int32Array;
  private amount: Float64Array;
  private malformedCount = 0;
  private readonly examples: MalformedRow[] = [];

  /** `capacity`: rows to allocate up front (the columns grow beyond it as needed). */
  constructor(capacity: number) {
    const n = (this.capacity = Math.max(capacity, 1));
    this.customer = new Int32Array(n);
    this.dob = new Int32Array(n);
    this.gender = new Int32Array(n);
    this.location = new Int32Array(n);
    this.balance = new Float64Array(n);
    this.date = new Int32Array(n);
    this.time = new Int32Array(n);
    this.amount = new Float64Array(n);
  }

  /** Valid rows pushed so far. */
  get rows(): number {
    return this.n;
  }

  /** Malformed rows counted so far. */
  get malformed(): number {
    return this.malformedCount;
  }

  /** The first malformed row counted, if any. */
  get firstMalformed(): MalformedRow | undefined {
    return this.examples[0];
  }

  /**
   * Appends one valid row. Codes are dictionary codes (-1: missing); `balance` is NaN when missing; `date` is a
   * day number, `time` HHMMSS. O(1) amortised.
   */
  push(
    transactionId: string,
    customer: number,
    dob: number,
    gender: number,
    location: number,
    balance: number,
    date: number,
    time: number,
    amount: number,
  ): void {
    if (this.n === this.capacity) this.grow();
    const r = this.n++;
    this.transactionId.push(transactionId);
    this.customer[r] = customer;
    this.dob[r] = dob;
    this.gender[r] = gender;
    this.location[r] = location;
    this.balance[r] = balance;
    this.date[r] = date;
    this.time[r] = time;
    this.amount[r] = amount;
  }

  /** Counts a malformed row, keeping it as an example while fewer than MALFORMED_EXAMPLES are kept. O(1). */
  addMalformed(m: MalformedRow): void {
    this.malformedCount++;
    if (this.examples.length < MALFORMED_EXAMPLES) this.examples.push(m);
  }

  /**
   * Counts `count` malformed rows found earlier (the database reader: rows the import skipped), keeping their
   * examples under the same cap. O(examples).
   */
  addSkipped(skipped: { readonly count: number; readonly examples: readonly MalformedRow[] }): void {
    this.malformedCount += skipped.count;
    for (const m of skipped.examples) if (this.examples.length < MALFORMED_EXAMPLES) this.examples.push(m);
  }

  /**
   * The table of the rows pushed, with the given dictionaries (shared, not copied) and malformed rows.
   * The builder should not be used afterwards (the table shares its transaction ids and examples). O(rows).
   */
  table(source: string, dictionaries: ColumnDictionaries): TransactionTable {
    const n = this.n;
    return {
      source,
      rows: n,
      transactionId: this.transactionId,
      customerId: { codes: this.customer.slice(0, n), values: dictionaries.customerId },
      customerDob: { codes: this.dob.slice(0, n), values: dictionaries.customerDob },
      custGender: { codes: this.gender.slice(0, n), values: dictionaries.custGender },
      custLocation: { codes: this.location.slice(0, n), values: dictionaries.custLocation },
      custAccountBalance: this.balance.slice(0, n),
      transactionDate: this.date.slice(0, n),
      transactionTime: this.time.slice(0, n),
      transactionAmount: this.amount.slice(0, n),
      malformed: { count: this.malformedCount, examples: this.examples },
    };
  }

  private grow(): void {
    this.capacity *= 2;
    this.customer = grown(this.customer, this.capacity);
    this.dob = grown(this.dob, this.capacity);
    this.gender = grown(this.gender, this.capacity);
    this.location = grown(this.location, this.capacity);
    this.balance = grown(this.balance, this.capacity);
    this.date = grown(this.date, this.capacity);
    this.time = grown(this.time, this.capacity);
    this.amount = grown(this.amount, this.capacity);
  }
}
