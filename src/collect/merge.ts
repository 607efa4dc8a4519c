/**
 * Assembles the TransactionTable from what one or more RowReaders read: the last step of both reading paths
 * (one share for the streaming path, one per thread for the parallel path), so both build the table with the
 * same code.
 *
 * - Each share arrives in file order (`shareOf` puts a worker's pieces, read back to front, in order) with its
 *   dictionary codes numbering its values in order of first appearance over its own rows.
 * - Pieces are put in file order; a piece's line numbers become file line numbers (lines before it + its own).
 * - The first stop in file order (strict: the first malformed row; a line too long; an I/O problem) throws.
 * - Malformed rows: all counted, the first MALFORMED_EXAMPLES in file order kept.
 * - Dictionary columns: the shares' values are united (customers by number, partitioned hashing in id_codes.ts;
 *   the others by text), the main share's first. When the main share holds the first pieces and one other share the
 *   rest (two threads, the usual case), that already numbers every value in order of first appearance in the file:
 *   each row's code is just mapped. Otherwise one pass over the rows in file order renumbers the codes, exactly as
 *   one reader going front to back numbers them.
 */
import { InputError } from '../errors';
import type { DictColumn, MalformedRow, TransactionTable } from '../table';
import { formatMalformed, MALFORMED_EXAMPLES } from './columns';
import { RowTooLongError } from './csv';
import { NO_ALPHABET, TextDictionary } from './dictionary';
import { firstAppearance, idTexts, unpackId } from './id_codes';
import type { IdChars, MalformedCount } from './rows';

/** Why a reader stopped in a piece: the first malformed row (strict), a line too long, or an I/O problem. */
export type PieceStop =
  | { readonly kind: 'malformed'; readonly row: MalformedRow }
  | { readonly kind: 'too-long'; readonly line: number }
  | { readonly kind: 'input'; readonly message: string };

/** What a reader found in one piece of the file; rows index its columns, lines are numbered from 1 in the piece. */
export interface PieceRecord {
  readonly piece: number;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Lines in the piece (its `\n`s, plus a last line without one). */
  readonly lines: number;
  readonly malformed: MalformedCount;
  readonly stop?: PieceStop;
}

/** The dictionary columns whose values travel as text; customers travel as numbers (Share.customers). */
export const DICT_NAMES = ['dob', 'gender', 'location'] as const;
export type DictName = (typeof DICT_NAMES)[number];

/** The columns of the valid rows one reader stored, in its order; dictionary columns as codes into its values. */
export interface ShareColumns {
  /** Transaction IDs as characters (RowColumns.idChars, idEnd): bytes (Latin-1) or UTF-16 code units. */
  readonly idChars: IdChars;
  readonly idEnd: Int32Array;
  readonly customer: Int32Array;
  readonly dob: Int32Array;
  readonly gender: Int32Array;
  readonly location: Int32Array;
  readonly balance: Float64Array;
  readonly date: Int32Array;
  readonly time: Int32Array;
  readonly amount: Float64Array;
}

/** One reader's result: the pieces it read, its columns, and its dictionaries' values (its codes index these). */
export interface Share {
  readonly records: readonly PieceRecord[];
  readonly columns: ShareColumns;
  readonly dictionaries: { readonly [C in DictName]: readonly string[] };
  /** `columns.customer` codes index these. */
  readonly customers: CustomerShare;
}

/**
 * A reader's distinct customers, as numbers (parallel.ts shareOf): customers are united across readers by number,
 * and a worker never makes their strings, which the main thread would have to copy anyway.
 */
export interface CustomerShare {
  /** The number of each distinct customer: a packed ID, or `-1 - j` for `others[j]`. */
  readonly keys: Float64Array;
  /** The IDs that did not pack (the reader's otherCustomers dictionary). */
  readonly others: readonly string[];
  /** Their strings, when made already (the main reader makes its own while the workers finish). */
  readonly values?: readonly string[];
}

/** Where a piece's rows are: the share that read it and its record there. */
interface Placed {
  readonly share: number;
  readonly record: PieceRecord;
}

/**
 * The table of all pieces, in file order. `shares[0]` is the main reader's; `otherCustomers` its dictionary of IDs
 * that do not pack (the other shares' such IDs are added to it). `lineOffset`: lines before the first piece (0 when
 * the pieces' line numbers are already file line numbers). `pieces`: how many pieces the file was cut into (every one
 * must be in exactly one share, up to a stop). Throws InputError for the first stop in file order.
 * O(rows + distinct values of all shares).
 */
export function assembleTable(file: string, lineOffset: number, shares: readonly Share[], otherCustomers: TextDictionary, pieces: number): TransactionTable {
  const placed: Placed[] = [];
  shares.forEach((share, s) => share.records.forEach((record) => placed.push({ share: s, record })));
  placed.sort((a, b) => a.record.piece - b.record.piece);

  let lineBefore = lineOffset;
  let malformedCount = 0;
  const examples: MalformedRow[] = [];
  let rows = 0;
  for (const [k, { record }] of placed.entries()) {
    if (record.piece !== k) throw new Error(`reader bug: piece ${k} is missing (found ${record.piece})`);
    const atLine = (line: number) => lineBefore + line;
    for (const m of record.malformed.examples) if (examples.length < MALFORMED_EXAMPLES) examples.push(lineBefore === 0 ? m : { ...m, line: atLine(m.line) });
    malformedCount += record.malformed.count;
    const stop = record.stop;
    if (stop?.kind === 'malformed') throw new InputError(formatMalformed({ ...stop.row, line: atLine(stop.row.line) }));
    if (stop?.kind === 'too-long') throw new InputError(`${file}:${atLine(stop.line)}: ${new RowTooLongError(0).message}`);
    if (stop?.kind === 'input') throw new InputError(`${file}: ${stop.message}`);
    rows += record.rowEnd - record.rowStart;
    lineBefore += record.lines;
  }
  // Never a table with its last pieces missing (a piece read twice shows above as a piece missing).
  if (placed.length !== pieces) throw new Error(`reader bug: ${placed.length} pieces read, the file has ${pieces}`);
  const malformed = { count: malformedCount, examples };
  const ids = idDecoder(placed, shares, rows);

  // One reader that read every piece: its columns are the table's (exact-length already, RowReader.columns: not copied).
  if (shares.length === 1) {
    const only = shares[0];
    const c = only.columns;
    const d = only.dictionaries;
    return {
      source: file,
      rows,
      get transactionId() {
        return ids();
      },
      customerId: { codes: c.customer.subarray(0, rows), values: only.customers.values ?? idTexts(only.customers.keys, only.customers.others) },
      customerDob: { codes: c.dob.subarray(0, rows), values: d.dob },
      custGender: { codes: c.gender.subarray(0, rows), values: d.gender },
      custLocation: { codes: c.location.subarray(0, rows), values: d.location },
      custAccountBalance: c.balance.subarray(0, rows),
      transactionDate: c.date.subarray(0, rows),
      transactionTime: c.time.subarray(0, rows),
      transactionAmount: c.amount.subarray(0, rows),
      malformed,
    };
  }

  // Column by column, each share's column released once copied: the merge needs the shares plus one column's worth
  // of memory, not a second table (the shares are consumed; only the IDs' characters stay, for idDecoder).
  const concatenated = <T extends Float64Array | Int32Array>(name: 'balance' | 'date' | 'time' | 'amount', out: T): T => {
    let at = 0;
    for (const { share, record } of placed) {
      out.set(shares[share].columns[name].subarray(record.rowStart, record.rowEnd), at);
      at += record.rowEnd - record.rowStart;
    }
    release(shares, name);
    return out;
  };
  const balance = concatenated('balance', new Float64Array(rows));
  const date = concatenated('date', new Int32Array(rows));
  const time = concatenated('time', new Int32Array(rows));
  const amount = concatenated('amount', new Float64Array(rows));

  // Two shares that split the file in two, the main one first: their united codes are already in file order.
  let first = 0;
  while (first < placed.length && placed[first].share === 0) first++;
  const direct = shares.length === 2 && placed.every((p, k) => p.share === (k < first ? 0 : 1));
  const column = (name: DictName): DictColumn => {
    const union = new TextDictionary(NO_ALPHABET, 1024);
    const toUnion = shares.map((share) => unionCodes(share.dictionaries[name], union));
    const renumbered = renumber(placed, shares, name, toUnion, union.values, rows, direct);
    release(shares, name);
    return renumbered;
  };
  const customerId = uniteCustomers(placed, shares, otherCustomers, rows, direct);
  release(shares, 'customer');
  return {
    source: file,
    rows,
    get transactionId() {
      return ids();
    },
    customerId,
    customerDob: column('dob'),
    custGender: column('gender'),
    custLocation: column('location'),
    custAccountBalance: balance,
    transactionDate: date,
    transactionTime: time,
    transactionAmount: amount,
    malformed,
  };
}

/** Lets go of the shares' `name` column once the table has its own (ShareColumns are consumed by the merge). */
function release(shares: readonly Share[], name: Exclude<keyof ShareColumns, 'idChars' | 'idEnd'>): void {
  for (const share of shares) (share.columns as unknown as Record<string, unknown>)[name] = undefined;
}

/**
 * The transaction IDs as strings, decoded on the first call and kept: the table's `transactionId` is a getter over
 * it. Cleaning and the features never read the IDs, so a million small strings (and the garbage collector's work on
 * them) are made only for the outputs that need them (the stage cache, the database import, notebooks' tables).
 * The first call costs O(rows): one decode per share, one slice per row.
 */
function idDecoder(placed: readonly Placed[], shares: readonly Share[], rows: number): () => readonly string[] {
  // Only the ID characters stay reachable from the table, not the shares' other columns.
  const parts = placed.map(({ share, record }) => ({ share, from: record.rowStart, to: record.rowEnd }));
  const chars = shares.map((s) => s.columns.idChars);
  const ends = shares.map((s) => s.columns.idEnd);
  let decoded: string[] | undefined;
  return () => {
    if (decoded !== undefined) return decoded;
    const texts = chars.map(utf16Text);
    const ids: string[] = new Array(rows);
    let at = 0;
    for (const { share, from, to } of parts) {
      const text = texts[share];
      const end = ends[share];
      for (let i = from; i < to; i++) ids[at++] = text.slice(i === 0 ? 0 : end[i - 1], end[i]);
    }
    decoded = ids;
    return ids;
  };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The string of the characters: Latin-1 bytes or UTF-16 code units. O(length). */
function utf16Text(units: IdChars): string {
  if (units instanceof Uint8Array) return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('latin1');
  if (LITTLE_ENDIAN) return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
  let text = '';
  for (let at = 0; at < units.length; at += 8192) text += String.fromCharCode(...units.subarray(at, at + 8192));
  return text;
}

/** For each of `values` (in order), its code in `into`, adding it when new. O(values). */
function unionCodes(values: readonly string[], into: TextDictionary): Int32Array {
  const map = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) map[c] = into.code(values[c]);
  return map;
}

/**
 * The customer column across shares. Customers are united by number, not by string: all shares' distinct numbers,
 * concatenated in share order, go through firstAppearance (the same partitioned hashing as within a reader), so
 * equal IDs get one union id; an ID that did not pack gets its number from the main reader's otherCustomers
 * dictionary. Strings: the main share's as it made them; the others' made here from their numbers.
 * O(rows + distinct customers of all shares).
 */
function uniteCustomers(placed: readonly Placed[], shares: readonly Share[], others: TextDictionary, rows: number, direct: boolean): DictColumn {
  let total = 0;
  for (const share of shares) total += share.customers.keys.length;
  const keys = new Float64Array(total);
  const offset: number[] = [];
  let at = 0;
  for (const [s, share] of shares.entries()) {
    offset.push(at);
    const own = share.customers.keys;
    const unpacked = share.customers.others;
    for (let j = 0; j < own.length; j++) keys[at + j] = own[j] >= 0 || s === 0 ? own[j] : -1 - others.code(unpacked[-1 - own[j]]);
    at += own.length;
  }
  const { codes: unionId, distinct } = firstAppearance(keys);
  // The main share's distinct IDs come first in `keys`, so their union ids are its codes: 0, 1, 2, ...
  const main = shares[0].customers;
  const union: string[] = new Array(distinct.length);
  const mainValues = main.values ?? idTexts(main.keys, main.others);
  for (let j = 0; j < mainValues.length; j++) union[j] = mainValues[j];
  for (let u = mainValues.length; u < distinct.length; u++) union[u] = distinct[u] >= 0 ? unpackId(distinct[u]) : others.values[-1 - distinct[u]];
  const toUnion = shares.map((share, s) => unionId.subarray(offset[s], offset[s] + share.customers.keys.length));
  return renumber(placed, shares, 'customer', toUnion, union, rows, direct);
}

/**
 * One dictionary column in file order, codes in order of first appearance: each row's code goes through its share's
 * map into the united dictionary (`union`). When `direct` (two shares splitting the file, the main one first, each
 * numbering its values in order of first appearance, united in that order) that is already the answer; otherwise
 * each united value gets the next code the first time a row shows it. O(rows + union size).
 */
function renumber(
  placed: readonly Placed[],
  shares: readonly Share[],
  name: DictName | 'customer',
  toUnion: readonly Int32Array[],
  union: readonly string[],
  rows: number,
  direct: boolean,
): DictColumn {
  const codes = new Int32Array(rows);
  let at = 0;
  if (direct) {
    for (const { share, record } of placed) {
      const local = shares[share].columns[name];
      const map = toUnion[share];
      for (let i = record.rowStart; i < record.rowEnd; i++) {
        const c = local[i];
        codes[at++] = c < 0 ? -1 : map[c];
      }
    }
    return { codes, values: union as string[] };
  }
  const order = new Int32Array(union.length).fill(-1);
  const values: string[] = [];
  for (const { share, record } of placed) {
    const local = shares[share].columns[name];
    const map = toUnion[share];
    for (let i = record.rowStart; i < record.rowEnd; i++) {
      const c = local[i];
      if (c < 0) {
        codes[at++] = -1;
        continue;
      }
      const u = map[c];
      let g = order[u];
      if (g < 0) {
        g = order[u] = values.length;
        values.push(union[u]);
      }
      codes[at++] = g;
    }
  }
  return { codes, values };
}
