/**
 * Assembles the TransactionTable from what one or more RowReaders read: the last step of both reading paths
 * (one share for the streaming path, one per thread for the parallel path), so both build the table with the
 * same code.
 *
 * - Pieces are put in file order; a piece's line numbers become file line numbers (lines before it + its own).
 * - The first stop in file order (strict: the first malformed row; a line too long; an I/O problem) throws.
 * - Malformed rows: all counted, the first MALFORMED_EXAMPLES in file order kept.
 * - Dictionary columns: each share's codes go through the main share's dictionaries (the other shares' values are
 *   looked up there, new ones added), then one pass over the rows in file order renumbers the codes in order of first
 *   appearance, exactly as one reader going front to back numbers them. Customer IDs: encodeIds (id_codes.ts).
 */
import { InputError } from '../errors';
import type { DictColumn, MalformedRow, TransactionTable } from '../table';
import { formatMalformed, MALFORMED_EXAMPLES } from './columns';
import { RowTooLongError } from './csv';
import type { TextDictionary } from './dictionary';
import { firstAppearance } from './id_codes';
import type { MalformedCount } from './rows';

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

export const DICT_NAMES = ['customer', 'dob', 'gender', 'location'] as const;
export type DictName = (typeof DICT_NAMES)[number];

/** The columns of the valid rows one reader stored, in its order; dictionary columns as codes into its values. */
export interface ShareColumns {
  /** Transaction IDs as characters (RowColumns.idChars, idEnd). */
  readonly idChars: Uint16Array;
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
  /** The number of each customer value (RowReader.customerCodes), to unite customers across readers without strings. */
  readonly customerKeys: Float64Array;
}

/** The main reader's dictionaries, which grow to hold the values of every share. */
export interface MainDictionaries {
  readonly otherCustomers: TextDictionary;
  readonly dob: TextDictionary;
  readonly gender: TextDictionary;
  readonly location: TextDictionary;
}

/** Where a piece's rows are: the share that read it and its record there. */
interface Placed {
  readonly share: number;
  readonly record: PieceRecord;
}

/**
 * The table of all pieces, in file order. `shares[0]` is the main reader's, whose dictionaries `dicts` become the
 * merged ones (values are added to them). `lineOffset`: lines before the first piece (0 when the pieces' line
 * numbers are already file line numbers). Throws InputError for the first stop in file order.
 * O(rows + distinct values of shares 1..).
 */
export function assembleTable(file: string, lineOffset: number, shares: readonly Share[], dicts: MainDictionaries): TransactionTable {
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
  const malformed = { count: malformedCount, examples };
  const ids = idDecoder(placed, shares, rows);

  // How many leading pieces the main reader read, in file order, with nothing else: its codes for them number values
  // in order of first appearance already (true of every piece on the streaming path).
  let prefix = 0;
  while (prefix < placed.length && placed[prefix].share === 0 && placed[prefix].record.rowStart === (prefix === 0 ? 0 : placed[prefix - 1].record.rowEnd)) prefix++;
  if (placed.some((p, k) => k >= prefix && p.share === 0)) prefix = 0; // it also read pieces out of order: renumber all

  // One reader that read every piece in file order: its columns are the table's.
  const only = shares[0];
  if (shares.length === 1 && prefix === placed.length) {
    const c = only.columns;
    const d = only.dictionaries;
    return {
      source: file,
      rows,
      get transactionId() {
        return ids();
      },
      customerId: { codes: c.customer.slice(0, rows), values: d.customer },
      customerDob: { codes: c.dob.slice(0, rows), values: d.dob },
      custGender: { codes: c.gender.slice(0, rows), values: d.gender },
      custLocation: { codes: c.location.slice(0, rows), values: d.location },
      custAccountBalance: c.balance.slice(0, rows),
      transactionDate: c.date.slice(0, rows),
      transactionTime: c.time.slice(0, rows),
      transactionAmount: c.amount.slice(0, rows),
      malformed,
    };
  }

  const balance = new Float64Array(rows);
  const date = new Int32Array(rows);
  const time = new Int32Array(rows);
  const amount = new Float64Array(rows);
  let at = 0;
  for (const { share, record } of placed) {
    const c = shares[share].columns;
    const { rowStart: from, rowEnd: to } = record;
    balance.set(c.balance.subarray(from, to), at);
    date.set(c.date.subarray(from, to), at);
    time.set(c.time.subarray(from, to), at);
    amount.set(c.amount.subarray(from, to), at);
    at += to - from;
  }

  const column = (name: 'dob' | 'gender' | 'location'): DictColumn => {
    const union = dicts[name];
    const seeded = prefix > 0 ? union.size : 0; // the main reader's values, before the others' are added
    const toUnion = shares.map((share, s) => (s === 0 ? undefined : unionCodes(share.dictionaries[name], union)));
    return renumber(placed, shares, name, toUnion, union.values, rows, prefix, seeded);
  };
  const customerId = uniteCustomers(placed, shares, dicts.otherCustomers, rows, prefix);
  const customerDob = column('dob');
  return {
    source: file,
    rows,
    get transactionId() {
      return ids();
    },
    customerId,
    customerDob,
    custGender: column('gender'),
    custLocation: column('location'),
    custAccountBalance: balance,
    transactionDate: date,
    transactionTime: time,
    transactionAmount: amount,
    malformed,
  };
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

/** The string of UTF-16 code units. O(length). */
function utf16Text(units: Uint16Array): string {
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
 * concatenated, go through firstAppearance (the same partitioned hashing as within a reader), so equal IDs get one
 * union id; an ID that did not pack gets its number from the main reader's otherCustomers dictionary. Then the rows
 * are renumbered in file order. O(rows + distinct customers of all shares).
 */
function uniteCustomers(placed: readonly Placed[], shares: readonly Share[], others: TextDictionary, rows: number, prefix: number): DictColumn {
  let total = 0;
  for (const share of shares) total += share.customerKeys.length;
  const keys = new Float64Array(total);
  const offset: number[] = [];
  let at = 0;
  for (const [s, share] of shares.entries()) {
    offset.push(at);
    const own = share.customerKeys;
    const values = share.dictionaries.customer;
    for (let j = 0; j < own.length; j++) keys[at + j] = own[j] >= 0 || s === 0 ? own[j] : -1 - others.code(values[j]);
    at += own.length;
  }
  const { codes: unionId, distinct } = firstAppearance(keys);
  const union: string[] = new Array(distinct.length);
  const toUnion = shares.map((share, s) => {
    const map = unionId.subarray(offset[s], offset[s] + share.customerKeys.length);
    const values = share.dictionaries.customer;
    for (let j = 0; j < map.length; j++) if (union[map[j]] === undefined) union[map[j]] = values[j];
    return map;
  });
  // The main reader's distinct IDs come first in `keys`, so their union ids are its codes: 0, 1, 2, ...
  return renumber(placed, shares, 'customer', toUnion, union, rows, prefix, prefix > 0 ? shares[0].customerKeys.length : 0);
}

/**
 * One dictionary column in file order, codes in order of first appearance: each row's code goes through its share's
 * map into the united dictionary (`union`), then gets the next new code the first time it is seen. The first `prefix`
 * pieces were read in order by the main reader, whose codes are the first `seeded` union codes: they are copied
 * as they are. O(rows + union size).
 */
function renumber(
  placed: readonly Placed[],
  shares: readonly Share[],
  name: DictName,
  toUnion: readonly (Int32Array | undefined)[],
  union: readonly string[],
  rows: number,
  prefix: number,
  seeded: number,
): DictColumn {
  const codes = new Int32Array(rows);
  const order = new Int32Array(union.length).fill(-1);
  const values: string[] = union.slice(0, seeded);
  for (let u = 0; u < seeded; u++) order[u] = u;
  let at = 0;
  for (const [k, { share, record }] of placed.entries()) {
    const local = shares[share].columns[name];
    if (k < prefix) {
      codes.set(local.subarray(record.rowStart, record.rowEnd), at);
      at += record.rowEnd - record.rowStart;
      continue;
    }
    const map = toUnion[share];
    for (let i = record.rowStart; i < record.rowEnd; i++) {
      const c = local[i];
      if (c < 0) {
        codes[at++] = -1;
        continue;
      }
      const u = map === undefined ? c : map[c];
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
