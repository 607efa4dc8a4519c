import { readSource } from '../collect/source';
import { Command, parseOptions } from './command';
import { PUSH_DOWN_HELP, PUSH_DOWN_OPTION_SPEC, SOURCE_HELP, SOURCE_OPTION_SPEC, sourceOption } from './options';
import { profileFromDb } from '../collect/db/pushdown';
import { DEFAULT_TABLE } from '../config';
import { formatProfile, Profile, profileTransactions } from '../explore/profile';
import type { TransactionTable } from '../table';
import { skippedRowsWarning } from '../collect/columns';

/** `bankseg profile`: rows, CustomerIDs, missing values, DOB placeholder and date range of the input as read. */
export const profileCommand: Command = {
  name: 'profile',
  summary: 'profile the transactions as read (rows, CustomerIDs, missing values, date range)',
  help: [
    'Usage: bankseg profile [--input FILE | --url URL [--table NAME] [--push-down]] [--json] [--strict]',
    '',
    'Reads the transactions and prints: rows, distinct CustomerIDs, missing values per column',
    '(empty or nan), DOBs with the 1/1/1800 placeholder, the date range, and the malformed rows',
    'skipped (in a file a row is one line, so that is also the lines lost).',
    '',
    'Options:',
    SOURCE_HELP,
    PUSH_DOWN_HELP,
    '  --json         print one JSON object {rows, customers, missing, placeholderDob, dateRange,',
    '                 malformedRows} on stdout (customers: distinct CustomerIDs, before the customer key',
    '                 of cleaning; and a warning on stderr when rows were skipped)',
    '  --help         this text',
  ].join('\n'),
  async run(argv) {
    const opts = parseOptions(argv, { ...SOURCE_OPTION_SPEC, ...PUSH_DOWN_OPTION_SPEC, json: { type: 'boolean' } });
    const source = sourceOption(opts);
    let profile: Profile;
    let table: Pick<TransactionTable, 'source' | 'malformed'>;
    if (source.pushDown && source.url) {
      // Counted inside the database: no row reaches bankseg.
      ({ profile, ...table } = await profileFromDb(source.url, source.table ?? DEFAULT_TABLE, { strict: source.strict }));
    } else {
      const rows = await readSource(source);
      profile = profileTransactions(rows);
      table = rows;
    }
    if (opts.json) {
      const { rows, customers, missing, placeholderDob, dateRange, malformedRows } = profile;
      process.stdout.write(JSON.stringify({ rows, customers, missing, placeholderDob, dateRange, malformedRows }) + '\n');
      const warning = skippedRowsWarning('profile', table.malformed);
      if (warning) process.stderr.write(warning);
    } else {
      process.stdout.write(formatProfile(profile, table) + '\n');
    }
    return 0;
  },
};
