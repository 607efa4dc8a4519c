import { readSource } from '../collect/source';
import { Command, parseOptions } from './command';
import { SOURCE_HELP, SOURCE_OPTION_SPEC, sourceOption } from './options';
import { formatProfile, profileTransactions } from '../explore/profile';

/** `bankseg profile`: rows, customers, missing values, DOB placeholder and date range of the input as read. */
export const profileCommand: Command = {
  name: 'profile',
  summary: 'profile the transactions as read (rows, customers, missing values, date range)',
  help: [
    'Usage: bankseg profile [--input FILE | --url URL [--table NAME]] [--json] [--strict]',
    '',
    'Reads the transactions and prints: rows, distinct customers, missing values per column',
    '(empty or nan), DOBs with the 1/1/1800 placeholder, the date range, and malformed rows skipped.',
    '',
    'Options:',
    SOURCE_HELP,
    '  --json         print one JSON object {rows, customers, missing, placeholderDob, dateRange} on stdout',
    '                 (the malformed-row count goes to stderr as a warning)',
    '  --help         this text',
  ].join('\n'),
  async run(argv) {
    const opts = parseOptions(argv, { ...SOURCE_OPTION_SPEC, json: { type: 'boolean' } });
    const table = await readSource(sourceOption(opts));
    const profile = profileTransactions(table);
    if (opts.json) {
      const { rows, customers, missing, placeholderDob, dateRange } = profile;
      process.stdout.write(JSON.stringify({ rows, customers, missing, placeholderDob, dateRange }) + '\n');
      if (table.malformed.count > 0) {
        const first = table.malformed.examples[0];
        const where = first ? `; first at line ${first.line}, column ${first.column}` : '';
        process.stderr.write(`bankseg profile: warning: skipped ${table.malformed.count} malformed row(s)${where}\n`);
      }
    } else {
      process.stdout.write(formatProfile(profile, table) + '\n');
    }
    return 0;
  },
};
