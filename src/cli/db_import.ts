import { DEFAULT_TABLE } from '../config';
import { Command, parseOptions } from './command';
import { SOURCE_OPTION_SPEC } from './options';
import { UsageError } from '../errors';
import { ImportResult, importTransactionsFile } from '../collect/db/import';
import { importShardedFile, ShardedImportResult } from '../collect/db/shards';
import { redactUrl } from '../collect/db/connection';
import { count } from '../format';

const HELP = `Usage: bankseg db-import --input FILE --url URL [--table NAME] [--shard URL --shard URL ...] [--strict]

Loads a transactions CSV (plain or .gz, read with the same rules as every command) into a typed PostgreSQL
table, all or nothing: one transaction, a row count check, then the new table replaces the one an earlier
import made (re-running never duplicates rows). Afterwards every command can read it with --url and --table.

Options:
  --input FILE   transactions CSV to load
  --url URL      postgres://user@host:port/database (the password may also come from PGPASSWORD or ~/.pgpass,
                 which keeps it out of the process list)
  --table NAME   table to create or replace: name or schema.name (default: ${DEFAULT_TABLE}); a table that
                 bankseg did not create is never replaced
  --shard URL     repeat once per shard server: the table on --url (the coordinator) becomes partitioned by
                 HASH (customer_id), one postgres_fdw foreign partition per shard, and each shard receives its
                 customers' rows directly (every row of a customer on one shard). The shard URLs need a password
                 (or PGPASSWORD): the coordinator connects to the shards with it. The coordinator needs the
                 postgres_fdw extension (a superuser creates it if this role may not)
  --strict       stop at the first malformed row, loading nothing (default: skip it, count it, and record it
                 in the table comment so later reads still report it)

The table layout and the SQL feature push-down are described in docs/database.md.
`;

/** `bankseg db-import`: the transactions file → a typed PostgreSQL table. */
export const db_importCommand: Command = {
  name: 'db-import',
  summary: 'load the transactions file into a typed PostgreSQL table (idempotent, all or nothing)',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, { ...SOURCE_OPTION_SPEC, shard: { type: 'string', multiple: true } });
    if (!values.input) throw new UsageError('--input FILE is required (the transactions CSV to load)');
    if (!values.url) throw new UsageError('--url URL is required (postgres://user@host:port/database)');
    const started = Date.now();
    const table = values.table ?? DEFAULT_TABLE;
    const shards = values.shard ?? [];
    const result: ImportResult & { shards?: ShardedImportResult['shards'] } =
      shards.length > 0
        ? await importShardedFile(values.url, values.input, table, shards, { strict: values.strict })
        : await importTransactionsFile(values.url, values.input, table, { strict: values.strict });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const spread =
      result.shards !== undefined
        ? `, hash-partitioned by customer_id over ${result.shards.length} shards (${result.shards.map((s) => count(s.rows)).join(' + ')} rows)`
        : '';
    const skipped =
      result.malformed > 0
        ? `${count(result.malformed)} malformed rows skipped (recorded in the table comment)`
        : 'no malformed rows';
    process.stdout.write(
      `loaded ${count(result.rows)} rows from ${values.input} into ${result.table} at ${redactUrl(values.url)}${spread} ` +
        `(${skipped}) in ${seconds} s\n`,
    );
    return 0;
  },
};
