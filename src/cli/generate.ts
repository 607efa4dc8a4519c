import * as path from 'node:path';
import { Command, intOption, parseOptions } from './command';
import { InputError, UsageError } from '../errors';
import { DEFAULT_RAW_PATH, DEFAULT_SEED } from '../config';
import { DEFAULT_ROWS, MAX_ROWS, defaultRawPath, writeGeneratedCsv } from '../collect/generate';
import { seedOption } from './options';
import { count } from '../format';

const HELP = `Usage: bankseg generate [--rows N] [--seed S] [--out FILE]

Writes a seeded synthetic bank_transactions.csv in the raw format of the public file, matching its published
facts (customers, missing values, placeholder DOBs, locations, dates, describe() table) scaled to N rows.
The same seed always gives the same bytes.

Options:
  --rows N     rows to write (default ${count(DEFAULT_ROWS)}, the public file's; at most ${count(MAX_ROWS)})
  --seed S     random seed, 0..4294967295 (default ${DEFAULT_SEED})
  --out FILE   output CSV, gzip-compressed if it ends in .gz (default ${DEFAULT_RAW_PATH} in the project)
`;

/** `bankseg generate`: writes the synthetic default data (or any size and seed of it). */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'write a seeded synthetic bank_transactions.csv (the default data)',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, { rows: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } });
    const rows = intOption('rows', values.rows, DEFAULT_ROWS, 1);
    if (rows > MAX_ROWS) throw new UsageError(`--rows expects at most ${MAX_ROWS}, got "${values.rows}"`);
    const seed = seedOption(values.seed);
    if (values.out === '') throw new UsageError('--out expects a file name');
    const out = values.out === undefined ? defaultRawPath() : path.resolve(values.out);
    const started = Date.now();
    let result;
    try {
      result = await writeGeneratedCsv(out, { rows, seed });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code) throw new InputError(`cannot write ${out}: ${e.message}`);
      throw err;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `wrote ${path.relative(process.cwd(), out) || out}: ${count(result.rows)} rows, ` +
        `${count(result.customers)} CustomerIDs (${count(result.people)} people), ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds} s (seed ${seed})\n`,
    );
    return 0;
  },
};
