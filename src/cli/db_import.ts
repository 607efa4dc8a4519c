import { DEFAULT_TABLE } from '../config';
import { Command, parseOptions } from './command';
import { SOURCE_OPTION_SPEC } from './options';
import { UsageError } from '../errors';
import { importTransactionsFile } from '../collect/db/import';
import { redactUrl } from '../collect/db/connection';
import { count } from '../format';

const HELP = `Usage: bankseg db-import --input FILE --url URL [--table NAME] [--strict]

Loads a transactions CSV (plain or .gz, read with the same rules as every command) into a typed PostgreSQL
table, all or nothing: one transaction, a row count check, then the new table replaces the one an earlier
import made (re-running never duplicates rows). Afterwards every command can read it with --url and --table.

Options:
  --input FILE   transactions CSV to load
  --url URL      postgres://user@host:port/database (the password may also come from PGPASSWORD or ~/.pgpass,
                 which keeps it out of the process list)
  --table NAME   table to create or replace: name or schema.name (default: ${DEFAULT_TABLE}); a table that
                 bankseg did not create is never replaced
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
    const values = parseOptions(argv, SOURCE_OPTION_SPEC);
    if (!values.input) throw new UsageError('--input FILE is required (the transactions CSV to load)');
    if (!values.url) throw new UsageError('--url URL is required (postgres://user@host:port/database)');
    const started = Date.now();
    const result = await importTransactionsFile(values.url, values.input, values.table ?? DEFAULT_TABLE, { strict: values.strict });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const skipped =
      result.malformed > 0
        ? `${count(result.malformed)} malformed rows skipped (recorded in the table comment)`
        : 'no malformed rows';
    process.stdout.write(
      `loaded ${count(result.rows)} rows from ${values.input} into ${result.table} at ${redactUrl(values.url)} ` +
        `(${skipped}) in ${seconds} s\n`,
    );
    return 0;
  },
};
