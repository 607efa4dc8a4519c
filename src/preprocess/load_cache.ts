/**
 * The load stage from the stage cache (src/io/cache.ts): `loadData` (read → clean → features) computed once per
 * input file, options and load code, and read back from Arrow files afterwards (about a second for 1M rows
 * instead of ~10 s). Entry files:
 *   data/interim/load-<hash>/     raw_transactions.arrow, clean_transactions.arrow, manifest.json
 *   data/processed/load-<hash>/   customer_features.arrow, manifest.json
 * The key hashes the input's real path and content (SHA-256 of its bytes: a replaced file with the same size and
 * date is still seen), the options that change the result, and the code of src/preprocess/load.ts with everything
 * it imports.
 */
import { ensureDefaultData } from '../collect/default_data';
import { decodeTable, encodeTable } from '../io/arrow';
import type { ColumnValue, DecodedTable } from '../io/arrow';
import { cachedStage, elapsed, fileDigest, fileIdentity } from '../io/cache';
import type { CacheOptions, CacheStatus } from '../io/cache';
import { CustomerKeys } from '../table';
import type { CleanTable, CustomerKeyColumn, QualityReport, TransactionTable } from '../table';
import { FEATURE_NAMES, featureSpec } from './feature_registry';
import type { CustomerFeatures } from './feature_registry';
import { isFile } from '../collect/source';
import { loadData } from './load';
import type { LoadedData, LoadOptions } from './load';

/**
 * The loaded data, what the cache did, and the input file's identity (real path, size, SHA-256 of its bytes;
 * absent for a database, which has no bytes to hash) for fingerprints such as a saved model's.
 */
export type CachedLoad = LoadedData & { readonly cache: CacheStatus; readonly input?: { readonly path: string; readonly size: number; readonly sha256: string } };

/** The module whose code (with its imports) the load entries are keyed on. */
export const LOAD_MODULE = 'src/preprocess/load.ts';

/**
 * `loadData(opts)`, from the cache when the same input, options and load code were seen before. A database source
 * (`url`) is not cached (its contents can change without a trace), so it is always read. On a hit the clean table
 * and the features are decoded at once (O(n) copies at most, usually none) and the raw table only when `.raw` is
 * first used.
 */
export async function cachedLoad(opts: LoadOptions = {}, cache: CacheOptions = {}): Promise<CachedLoad> {
  const start = Date.now();
  if (opts.url) {
    const data = await loadData(opts);
    return { ...data, cache: { hit: false, key: '', dirs: [], seconds: elapsed(start), note: 'database sources are not cached' } };
  }
  const input = opts.input ?? (await ensureDefaultData());
  if (!isFile(input)) {
    // Let the reader say what is wrong, in its one-line form ("x.csv: no such file").
    const data = await loadData({ ...opts, input });
    return { ...data, cache: { hit: false, key: '', dirs: [], seconds: elapsed(start), note: 'input is not a regular file' } };
  }
  const parameters = loadParameters(opts);
  const identity = fileIdentity(input);
  const { result, status } = await cachedStage<LoadedData>(
    {
      kind: 'load',
      module: LOAD_MODULE,
      inputs: [identity.path, identity.sha256, parameters],
      folders: {
        'data/interim': ['raw_transactions.arrow', 'clean_transactions.arrow'],
        'data/processed': ['customer_features.arrow'],
      },
      manifest: { input: identity, options: parameters },
      compute: () => loadData({ ...opts, input }),
      // Rewritten while it was being read: the result may mix two versions, so it is used but not cached.
      unchanged: () => fileDigest(identity.path) === identity.sha256,
      encode: (data) => ({
        'data/interim': { 'raw_transactions.arrow': encodeRaw(data.raw), 'clean_transactions.arrow': encodeClean(data.clean, data.quality) },
        'data/processed': { 'customer_features.arrow': encodeFeatures(data.features) },
      }),
      decode: (read) =>
        decodeLoaded(
          () => read('data/interim', 'raw_transactions.arrow'),
          read('data/interim', 'clean_transactions.arrow'),
          read('data/processed', 'customer_features.arrow'),
        ),
    },
    cache,
  );
  return withStatus(result, status, identity);
}

function withStatus(data: LoadedData, cache: CacheStatus, input: CachedLoad['input']): CachedLoad {
  // Keep `raw` lazy: spreading would run the getter.
  return Object.defineProperties({ cache, input }, Object.getOwnPropertyDescriptors(data)) as CachedLoad;
}

/** The options of `loadData` that change its result (the input is keyed separately). */
function loadParameters(opts: LoadOptions): Record<string, unknown> {
  // `caps` only when given, so the entries of every load without it keep their keys.
  return {
    strict: opts.strict ?? false,
    capQuantile: opts.capQuantile ?? null,
    topLocations: opts.topLocations ?? null,
    asOf: opts.asOf ?? null,
    ...(opts.caps ? { caps: { amount: opts.caps.amount, balance: opts.caps.balance } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The load stage's tables ↔ Arrow IPC.

function encodeRaw(t: TransactionTable): Uint8Array {
  return encodeTable(
    {
      transactionId: t.transactionId,
      customerId: t.customerId,
      customerDob: t.customerDob,
      custGender: t.custGender,
      custLocation: t.custLocation,
      custAccountBalance: t.custAccountBalance,
      transactionDate: t.transactionDate,
      transactionTime: t.transactionTime,
      transactionAmount: t.transactionAmount,
    },
    { source: t.source, malformed: t.malformed },
  );
}

function decodeRaw(bytes: Uint8Array): TransactionTable {
  const t = decodeTable(bytes);
  const meta = t.meta as { source: string; malformed: TransactionTable['malformed'] };
  return {
    source: meta.source,
    rows: t.rows,
    transactionId: t.strings('transactionId'),
    customerId: t.dict('customerId'),
    customerDob: t.dict('customerDob'),
    custGender: t.dict('custGender'),
    custLocation: t.dict('custLocation'),
    custAccountBalance: t.f64('custAccountBalance'),
    transactionDate: t.i32('transactionDate'),
    transactionTime: t.i32('transactionTime'),
    transactionAmount: t.f64('transactionAmount'),
    malformed: meta.malformed,
  };
}

function encodeClean(c: CleanTable, quality: QualityReport): Uint8Array {
  return encodeTable(
    {
      ...encodeKeys(c.customerIds, c.customer),
      date: c.date,
      time: c.time,
      amount: c.amount,
      balance: c.balance,
      age: c.age,
      gender: c.gender,
      location: c.location,
    },
    { quality, keys: c.customerIds instanceof CustomerKeys ? c.customerIds.length : undefined },
  );
}

/**
 * Customer keys as columns of a table of `customer.length` rows (row i is customer customer[i]): as numbers when they
 * are numbers (the row's CustomerID from the ID dictionary, birth day and gender of its key; decodeKeys gathers
 * them back), else the codes into the key texts.
 */
function encodeKeys(keys: CustomerKeyColumn, customer: Int32Array): Record<string, ColumnValue> {
  if (!(keys instanceof CustomerKeys)) return { customer: { codes: customer, values: keys } };
  const rows = keys.subset(customer);
  return { customer, keyId: { codes: rows.id, values: keys.ids }, keyBirthDay: rows.birthDay, keyGender: rows.gender };
}

/** encodeKeys' columns back: `count` keys as numbers, or (count undefined) the key texts. */
function decodeKeys(t: DecodedTable, count: number | undefined): { customer: Int32Array; keys: CustomerKeyColumn } {
  if (count === undefined) {
    const { codes, values } = t.dict('customer');
    return { customer: codes, keys: values };
  }
  const customer = t.i32('customer');
  const rowId = t.dict('keyId');
  const rowDay = t.i32('keyBirthDay');
  const rowGender = t.i8('keyGender');
  const id = new Int32Array(count);
  const birthDay = new Int32Array(count);
  const gender = new Int8Array(count);
  for (let i = 0; i < customer.length; i++) {
    const k = customer[i];
    id[k] = rowId.codes[i];
    birthDay[k] = rowDay[i];
    gender[k] = rowGender[i];
  }
  return { customer, keys: new CustomerKeys(rowId.values, id, birthDay, gender) };
}

function decodeClean(bytes: Uint8Array): { clean: CleanTable; quality: QualityReport } {
  const t = decodeTable(bytes);
  const { customer, keys } = decodeKeys(t, (t.meta as { keys?: number }).keys);
  const clean: CleanTable = {
    rows: t.rows,
    customer,
    customerIds: keys,
    date: t.i32('date'),
    time: t.i32('time'),
    amount: t.f64('amount'),
    balance: t.f64('balance'),
    age: t.f64('age'),
    gender: t.i8('gender'),
    location: t.dict('location'),
  };
  return { clean, quality: (t.meta as { quality: QualityReport }).quality };
}

function encodeFeatures(f: CustomerFeatures): Uint8Array {
  const columns: Record<string, ColumnValue> = encodeKeys(f.customerId, Int32Array.from({ length: f.n }, (_, i) => i));
  for (const name of FEATURE_NAMES) columns[name] = f[name];
  return encodeTable(columns, { endDate: f.endDate, asOf: f.asOf, keys: f.customerId instanceof CustomerKeys ? f.n : undefined });
}

function decodeFeatures(bytes: Uint8Array): CustomerFeatures {
  const t = decodeTable(bytes);
  // Each registry entry's kind says its column type (categories are dictionaries, the rest Float64Array).
  const columns = Object.fromEntries(FEATURE_NAMES.map((name) => [name, featureSpec(name).kind === 'category' ? t.dict(name) : t.f64(name)]));
  const meta = t.meta as { endDate: number; asOf: number; keys?: number };
  return { n: t.rows, customerId: decodeKeys(t, meta.keys).keys, ...columns, endDate: meta.endDate, asOf: meta.asOf } as unknown as CustomerFeatures;
}

function decodeLoaded(rawBytes: () => Uint8Array, cleanBytes: Uint8Array, featuresBytes: Uint8Array): LoadedData {
  const { clean, quality } = decodeClean(cleanBytes);
  const features = decodeFeatures(featuresBytes);
  let raw: TransactionTable | undefined;
  return {
    clean,
    quality,
    features,
    // Decoded on first use: 1M transaction ids are the slowest column and most steps never look at them.
    get raw(): TransactionTable {
      return (raw ??= decodeRaw(rawBytes()));
    },
  };
}
