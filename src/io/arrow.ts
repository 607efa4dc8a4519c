/**
 * Columns ↔ Apache Arrow IPC files (one record batch), the stage cache's file format, readable by pyarrow, pandas
 * and polars. Numbers map to Float64/Int32/Int8 (NaN kept as NaN), string arrays to Utf8, dictionary columns to
 * Dictionary<Utf8, Int32> with code -1 as null. Numbers are written and read without per-row work (typed arrays in, views out); small nested values ride along
 * as JSON (src/io/json.ts) in the schema metadata.
 */
import * as arrow from 'apache-arrow';
import type { DictColumn } from '../table';
import { fromJson, toJson } from './json';

/** A column: numbers, texts, or dictionary-encoded texts. */
export type ColumnValue = Float64Array | Int32Array | Int8Array | readonly string[] | DictColumn;

const META_KEY = 'bankseg';
const EMPTY_DICTS_KEY = 'bankseg.empty-dictionaries';

/** An Arrow IPC file (one record batch) of equal-length columns, with `meta` as JSON in the schema metadata. O(n). */
export function encodeTable(columns: Record<string, ColumnValue>, meta: unknown): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  let rows = -1;
  for (const [name, col] of Object.entries(columns)) {
    const v = toVector(col);
    if (rows >= 0 && v.length !== rows) throw new RangeError(`column ${name} has ${v.length} rows, expected ${rows}`);
    rows = v.length;
    vectors[name] = v;
  }
  const table = new arrow.Table(vectors);
  const metadata = new Map([[META_KEY, toJson(meta)]]);
  // An IPC file with no rows has no record batch, so no dictionary batch: keep the dictionaries in the metadata.
  if (rows === 0) {
    const dicts = Object.fromEntries(Object.entries(columns).filter(([, c]) => isDict(c)).map(([name, c]) => [name, (c as DictColumn).values]));
    metadata.set(EMPTY_DICTS_KEY, JSON.stringify(dicts));
  }
  const schema = new arrow.Schema(table.schema.fields, metadata);
  return arrow.tableToIPC(new arrow.Table(schema, table.batches), 'file');
}

/** Reads typed columns back from `encodeTable`'s bytes; numeric columns are views when aligned (no copy). */
export interface DecodedTable {
  readonly rows: number;
  readonly meta: unknown;
  f64(name: string): Float64Array;
  i32(name: string): Int32Array;
  i8(name: string): Int8Array;
  strings(name: string): string[];
  dict(name: string): DictColumn;
}

export function decodeTable(bytes: Uint8Array): DecodedTable {
  const table = arrow.tableFromIPC(bytes);
  const column = (name: string): arrow.Data => {
    const v = table.getChild(name);
    if (!v) throw new Error(`cache file has no column "${name}"`);
    if (v.data.length > 1) throw new Error(`cache column "${name}" has ${v.data.length} chunks, expected 1`);
    return v.data[0];
  };
  const numbers = <T extends Float64Array | Int32Array | Int8Array>(name: string, ctor: new (n: number) => T): T => {
    const values = column(name).values as T;
    if (!(values instanceof ctor)) throw new Error(`cache column "${name}" is not a ${ctor.name}`);
    return values.length === table.numRows ? values : (values.subarray(0, table.numRows) as T);
  };
  return {
    rows: table.numRows,
    meta: fromJson(table.schema.metadata.get(META_KEY) ?? 'null'),
    f64: (name) => numbers(name, Float64Array),
    i32: (name) => numbers(name, Int32Array),
    i8: (name) => numbers(name, Int8Array),
    strings: (name) => decodeUtf8(column(name)),
    dict: (name) => {
      if (table.numRows > 0) return decodeDict(column(name));
      column(name); // still fail on an unknown name
      const dicts = JSON.parse(table.schema.metadata.get(EMPTY_DICTS_KEY) ?? '{}') as Record<string, string[]>;
      return { codes: new Int32Array(0), values: dicts[name] ?? [] };
    },
  };
}

function isDict(col: ColumnValue): col is DictColumn {
  return !Array.isArray(col) && !ArrayBuffer.isView(col);
}

function toVector(col: ColumnValue): arrow.Vector {
  if (col instanceof Float64Array || col instanceof Int32Array || col instanceof Int8Array) return arrow.makeVector(col);
  if (isDict(col)) return arrow.makeVector(encodeDict(col));
  return arrow.makeVector(encodeUtf8(col as readonly string[]));
}

/** Utf8 data from strings: one join and one encode (per-string byte lengths only when not all ASCII). O(total length). */
function encodeUtf8(strings: readonly string[]): arrow.Data<arrow.Utf8> {
  const joined = strings.join('');
  const data = Buffer.from(joined, 'utf8');
  const ascii = data.length === joined.length;
  const valueOffsets = new Int32Array(strings.length + 1);
  for (let i = 0; i < strings.length; i++) {
    valueOffsets[i + 1] = valueOffsets[i] + (ascii ? strings[i].length : Buffer.byteLength(strings[i], 'utf8'));
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: strings.length, nullCount: 0, valueOffsets, data });
}

/** Strings from Utf8 data: decode the bytes once and slice when ASCII, else decode each value. O(total length). */
function decodeUtf8(data: arrow.Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const n = data.length;
  if (n === 0) return [];
  const out = new Array<string>(n);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = offsets[0];
  const all = buf.toString('latin1', start, offsets[n]);
  let ascii = true;
  for (let i = start; i < offsets[n]; i++) {
    if (bytes[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    out[i] = ascii ? all.slice(offsets[i] - start, offsets[i + 1] - start) : buf.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return out;
}

function encodeDict(col: DictColumn): arrow.Data {
  const n = col.codes.length;
  const indices = new Int32Array(n);
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const c = col.codes[i];
    if (c < 0) nulls++;
    else {
      indices[i] = c;
      validity[i >> 3] |= 1 << (i & 7);
    }
  }
  const dictionary = arrow.makeVector(encodeUtf8(col.values));
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? validity : null, data: indices, dictionary });
}

function decodeDict(data: arrow.Data): DictColumn {
  const n = data.length;
  const indices = data.values as Int32Array;
  const codes = new Int32Array(n);
  codes.set(indices.subarray(0, n));
  if (data.nullCount > 0) {
    const bitmap = data.nullBitmap as Uint8Array;
    for (let i = 0; i < n; i++) if ((bitmap[i >> 3] & (1 << (i & 7))) === 0) codes[i] = -1;
  }
  const dictionary = data.dictionary;
  const values = dictionary && dictionary.length > 0 ? decodeUtf8(dictionary.data[0]) : [];
  return { codes, values };
}
