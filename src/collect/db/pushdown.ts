/**
 * The push-down path: cleaning, the data-quality report and the customer features computed inside PostgreSQL,
 * so that one row per customer (and a few whole-table numbers) cross the wire instead of every transaction.
 * Gives what readTransactionsFromDb → cleanTransactions → customerFeatures give (the report entry by entry, the
 * features customer by customer up to float rounding of sums), without the transaction-level tables.
 *
 * On one server it is four statements in one read-only snapshot. On a table sharded by customer with postgres_fdw
 * (shards.ts), the same statements run on the coordinator; the counts and top values run once per shard, and the
 * per-customer aggregate runs on the shards (partitionwise aggregation, asynchronous foreign scans), so the
 * coordinator only ranks locations and orders customers.
 */
import type { Client } from 'pg';
import { InputError, UsageError } from '../../errors';
import { capQuantileOption } from '../../preprocess/clean';
import { formatMalformed } from '../columns';
import { topLocationsOption } from '../../preprocess/features';
import type { Profile } from '../../explore/profile';
import { progress } from '../../io/progress';
import { isoDate, keyTexts } from '../../table';
import type { QualityReport, TransactionTable } from '../../table';
import type { CustomerFeatures } from '../../preprocess/feature_registry';
import { parseTableName, redactUrl, TableName, withConnection } from './connection';
import { copyOutBinary } from './copy_out';
import { customerFeaturesSql, DbFeatureOptions, FEATURE_FIELDS, FeatureBuilder } from './features';
import type { SampleSql } from './features';
import { tableStorage, TableStorage } from './partitions';
import { cleaningFacts, customerKeyCounts, distinctCustomers, profileOf, reusedIdEntry, TableCounts, tableCounts } from './quality';
import { checkSample, CustomerSample, DrawnSample, hashThreshold, prefilterFraction } from './sample';
import { checkTableLayout, readImportRecord } from './schema';
import { count } from '../../format';

export interface PushDownOptions extends DbFeatureOptions {
  /** Stop at the first malformed row (one the import skipped, or a stored row that fails the reading rules). */
  readonly strict?: boolean;
  /** The day recency is measured from (days since 1970-01-01); default the last date; earlier is a UsageError. */
  readonly asOf?: number;
  /** Features for a seeded random sample of the customers only (sample.ts); the report and profile stay whole-table. */
  readonly sample?: CustomerSample;
}

export interface PushedDown {
  /** Where the rows are, as `TransactionTable.source` says it (password hidden). */
  readonly source: string;
  /** The rows as read, before cleaning (what `bankseg profile` shows). */
  readonly profile: Profile;
  /** Rows the import skipped plus stored rows failing the reading rules (examples: the import's only). */
  readonly malformed: TransactionTable['malformed'];
  readonly quality: QualityReport;
  readonly features: CustomerFeatures;
  /** Kept transactions per day, in day order (the report's last-dates caveat). */
  readonly transactionsPerDay: readonly { readonly day: number; readonly transactions: number }[];
  /** How the table is stored (leaves, shards). */
  readonly storage: TableStorage;
  /** When the features are a sample's: which, and of how many customers. */
  readonly sample?: DrawnSample;
}

/** Memory per sort/hash step of the push-down statements, for their transaction only. */
export const WORK_MEM = '256MB';

/** Customers between two progress updates. */
const PROGRESS_EVERY = 1 << 16;

/**
 * Cleans `table` at `url` and computes its customer features inside the database (see the module comment). Same
 * options and defaults as cleanTransactions and customerFeatures; `strict` as readTransactionsFromDb. Throws
 * one-line InputErrors like readTransactionsFromDb. Cost on the server: about five scans of the table, the last
 * one a hash aggregate by customer; here O(customers) transfer and memory, streamed with a binary COPY.
 */
export async function pushDownFromDb(url: string, table: string, opts: PushDownOptions = {}): Promise<PushedDown> {
  const capQuantile = capQuantileOption(opts.capQuantile);
  const topLocations = topLocationsOption(opts.topLocations);
  const sample = opts.sample && checkSample(opts.sample);
  return inPushDown(url, table, opts.strict === true, async (client, name, read) => {
    const facts = await cleaningFacts(client, read.storage, read.counts, capQuantile);
    // A sample's features do not hold every customer: count them, and rule 10, in SQL.
    const keys = sample ? await customerKeyCounts(client, name, read.storage) : undefined;
    let builder = new FeatureBuilder();
    // Without a kept row there is no end date and no customer features (but still customers read: see below).
    let customers = 0;
    if (facts.endDay === null) customers = await distinctCustomers(client, read.storage);
    else {
      const asOf = opts.asOf ?? facts.endDay;
      if (asOf < facts.endDay) {
        throw new UsageError(`--as-of ${isoDate(asOf)} is before the last transaction date in the data, ${isoDate(facts.endDay)}`);
      }
      const inputs = { amountCap: facts.quality.caps.amount, balanceCap: facts.quality.caps.balance, endDay: facts.endDay, asOf };
      const fetch = async (sampleSql?: SampleSql): Promise<FeatureBuilder> => {
        const received = new FeatureBuilder();
        received.asOf = asOf;
        const shown = progress(`customer features in ${name.text}${sampleSql ? ' (a sample)' : ''}`);
        await copyOutBinary(client, customerFeaturesSql(name, inputs, topLocations, sampleSql), FEATURE_FIELDS, (row) => {
          received.row(row);
          if (received.n % PROGRESS_EVERY === 0) shown.update(received.n);
        });
        shown.finish(`${count(received.n)} customers`);
        return received;
      };
      if (!sample || !keys) builder = await fetch();
      else if (sample.fraction !== undefined) builder = await fetch({ seed: sample.seed, threshold: hashThreshold(sample.fraction), limit: null });
      else {
        // Exactly `size` customers: the smallest hashes, among those passing a prefilter that lets through enough of them
        // but for a chance below 1e-9; then it is drawn again without one (the same customers, as the hash decides).
        const size = sample.size as number;
        const f = prefilterFraction(size, keys.customers);
        builder = await fetch({ seed: sample.seed, threshold: f < 1 ? hashThreshold(f) : null, limit: size });
        if (builder.n < Math.min(size, keys.customers) && f < 1) builder = await fetch({ seed: sample.seed, threshold: null, limit: size });
      }
      // The features statement has a row for every customer read, those whose rows were all dropped included; the
      // profile counts their CustomerIDs (a reused ID is one CustomerID and several customers).
      customers = builder.idsRead.size;
    }
    const { source, storage, malformed, counts } = read;
    const features = builder.features();
    // Rule 10's count needs the customer keys, so it joins the report once the customers are in.
    const quality = { ...facts.quality, malformed, entries: [...facts.quality.entries, keys?.reusedIdEntry ?? reusedIdEntry(keyTexts(features.customerId))] };
    const profile = profileOf(counts, keys?.idsRead ?? customers, malformed.count);
    const drawn = sample && keys ? { sample: { ...sample, drawn: features.n, customers: keys.customers } } : {};
    return { source, storage, malformed, profile, quality, features, transactionsPerDay: facts.transactionsPerDay, ...drawn };
  });
}

/** The rows of `table` as read, profiled in the database (statement 1 and a distinct count: three scans). */
export async function profileFromDb(url: string, table: string, opts: { strict?: boolean } = {}): Promise<ReadProfile> {
  return inPushDown(url, table, opts.strict === true, async (client, _name, read) => {
    const { source, storage, malformed, counts } = read;
    return { source, storage, malformed, profile: profileOf(counts, await distinctCustomers(client, storage), malformed.count) };
  });
}

/** What a profile pushed down gives: where the rows are, how they are stored, their profile, the malformed rows. */
export type ReadProfile = Pick<PushedDown, 'source' | 'profile' | 'malformed' | 'storage'>;

/** What every push-down learns first (inPushDown): statement 1's counts and the malformed rows. */
interface ReadCounts extends Pick<PushedDown, 'source' | 'malformed' | 'storage'> {
  readonly counts: TableCounts;
}

/**
 * Runs `work` inside the push-down transaction on `table` at `url`, after the checks and the profile that every
 * push-down starts with; `strict` stops at the first malformed row. Commits, or rolls back on any error.
 */
async function inPushDown<T>(
  url: string,
  table: string,
  strict: boolean,
  work: (client: Client, name: TableName, read: ReadCounts) => Promise<T>,
): Promise<T> {
  const name = parseTableName(table);
  const source = `${redactUrl(url)} table ${name.text}`;
  return withConnection(url, source, async (client) => {
    await beginPushDown(client);
    try {
      await checkTableLayout(client, name, source);
      const storage = await tableStorage(client, name);
      if (storage.leaves.length === 0) throw new InputError(`${source}: a partitioned table without partitions`);
      const record = await readImportRecord(client, name);
      const read = await tableCounts(client, storage);
      const inTable = read.tableRows - (read.counts.rows_read ?? 0);
      const skipped = record?.malformed ?? { count: 0, examples: [] };
      if (strict && skipped.count > 0) {
        throw new InputError(`${formatMalformed(skipped.examples[0])} (skipped when ${name.text} was imported)`);
      }
      if (strict && inTable > 0) {
        throw new InputError(`${source}: ${inTable} stored row(s) fail the reading rules (read without the push-down to see which)`);
      }
      const malformed = { count: skipped.count + inTable, examples: skipped.examples };
      const result = await work(client, name, { source, storage, malformed, counts: read.counts });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/**
 * Opens the push-down's transaction on `client`: one read-only snapshot for all its statements (postgres_fdw keeps
 * one remote transaction per shard for as long, so the shards are read at one point in time each), and settings
 * for this transaction only: enough memory for the per-customer hash aggregate and the final sort (the 4 MB
 * default spills a million customers to disk), and partitionwise aggregation, which is what lets postgres_fdw send
 * the whole per-customer aggregate to each shard of a table partitioned by customer.
 */
export async function beginPushDown(client: Client): Promise<void> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
  await client.query('SET LOCAL enable_partitionwise_aggregate = on');
}

/**
 * The customer features of `table` at `url`, computed by the database (pushDownFromDb without the rest). Equal to
 * the TypeScript path's up to float rounding of sums (1e-9 relative).
 */
export async function customerFeaturesFromDb(url: string, table: string, opts: PushDownOptions = {}): Promise<CustomerFeatures> {
  return (await pushDownFromDb(url, table, opts)).features;
}
