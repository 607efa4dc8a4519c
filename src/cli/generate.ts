import * as path from 'node:path';
import { Command, intOption, parseOptions } from './command';
import { InputError, UsageError } from '../errors';
import { DEFAULT_RAW_PATH, DEFAULT_SEED } from '../config';
import { DEFAULT_DRIFT, DEFAULT_NEXT_PERIOD_PATH, DEFAULT_ROWS, MAX_ROWS, NEXT_PERIOD_DAYS, defaultNextPeriodPath, defaultRawPath, writeGeneratedCsv, writeNextPeriodCsv } from '../collect/generate';
import { seedOption } from './options';
import { defaultParams, nextPeriodParams, stampIfDefault } from '../collect/default_data';
import { count } from '../format';

const HELP = `Usage: bankseg generate [--rows N] [--seed S] [--out FILE]
       bankseg generate --next-period [--returning S] [--moving S] [--balance-factor F] [--arriving S]
                        [--rows N] [--seed S] [--out FILE]

Writes a seeded synthetic bank_transactions.csv in the raw format of the public file, matching its published
facts (customers, missing values, placeholder DOBs, locations, dates, describe() table) scaled to N rows.
The same seed always gives the same bytes.

With --next-period, writes the period after it instead (the file the same --rows and --seed give, ${NEXT_PERIOD_DAYS} days
later: 1 Nov 2016 - 21 Jan 2017, the same dense and sparse days), from the same people with controlled drift,
to show and test \`bankseg assign\` and \`migrate\`: a share of the first period's people transact again, their
rows repeated as they were, except that a share of them (the movers) hold balances multiplied by a factor; new
people arrive under new CustomerIDs; the others have no transaction (they went quiet).

Options:
  --rows N     rows to write (default ${count(DEFAULT_ROWS)}, the public file's; at most ${count(MAX_ROWS)}); with
               --next-period, the rows of the first period
  --seed S     random seed, 0..4294967295 (default ${DEFAULT_SEED})
  --out FILE   output CSV, gzip-compressed if it ends in .gz (default ${DEFAULT_RAW_PATH} in the project;
               with --next-period, ${DEFAULT_NEXT_PERIOD_PATH})
  --next-period         write the next period (above)
  --returning S         share of the first period's people who transact again (default ${DEFAULT_DRIFT.returning})
  --moving S            share of those whose balances are multiplied (default ${DEFAULT_DRIFT.moving})
  --balance-factor F    the movers' balance multiplier (default ${DEFAULT_DRIFT.balanceFactor})
  --arriving S          new people, bringing this share of the first period's rows (default ${DEFAULT_DRIFT.arriving})
`;

/** A share option in [0, 1], or a usage error naming it. */
function shareOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !(x >= 0 && x <= 1)) throw new UsageError(`--${name} expects a share between 0 and 1, got "${value}"`);
  return x;
}

/** `bankseg generate`: writes the synthetic default data (or any size and seed of it). */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'write a seeded synthetic bank_transactions.csv (the default data)',
  help: HELP,
  async run(argv) {
    const values = parseOptions(argv, {
      rows: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'next-period': { type: 'boolean' },
      returning: { type: 'string' },
      moving: { type: 'string' },
      'balance-factor': { type: 'string' },
      arriving: { type: 'string' },
    });
    const rows = intOption('rows', values.rows, DEFAULT_ROWS, 1);
    if (rows > MAX_ROWS) throw new UsageError(`--rows expects at most ${MAX_ROWS}, got "${values.rows}"`);
    const seed = seedOption(values.seed);
    if (values.out === '') throw new UsageError('--out expects a file name');
    const next = values['next-period'] === true;
    const driftGiven = ['returning', 'moving', 'balance-factor', 'arriving'].filter((k) => values[k as keyof typeof values] !== undefined);
    if (!next && driftGiven.length > 0) throw new UsageError(`--${driftGiven[0]} goes with --next-period`);
    const factorText = values['balance-factor'];
    const balanceFactor = factorText === undefined ? DEFAULT_DRIFT.balanceFactor : Number(factorText);
    if (!(balanceFactor > 0 && Number.isFinite(balanceFactor)) || factorText?.trim() === '') {
      throw new UsageError(`--balance-factor expects a number above 0, got "${factorText}"`);
    }
    const drift = {
      returning: shareOption('returning', values.returning, DEFAULT_DRIFT.returning),
      moving: shareOption('moving', values.moving, DEFAULT_DRIFT.moving),
      arriving: shareOption('arriving', values.arriving, DEFAULT_DRIFT.arriving),
      balanceFactor,
    };
    const out = values.out === undefined ? (next ? defaultNextPeriodPath() : defaultRawPath()) : path.resolve(values.out);
    const started = Date.now();
    const shownPath = path.relative(process.cwd(), out) || out;
    try {
      if (next) {
        const r = await writeNextPeriodCsv(out, { rows, seed, drift });
        stampIfDefault(out, nextPeriodParams(rows, seed, drift));
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          `wrote ${shownPath}: ${count(r.rows)} rows, ${r.firstDate} to ${r.lastDate}, ${(r.bytes / 1e6).toFixed(1)} MB in ${seconds} s ` +
            `(the period after seed ${seed}'s ${count(rows)} rows): of its ${count(r.firstPeriodPeople)} people, ${count(r.returned + r.moved)} transact again ` +
            `(${count(r.moved)} of them with balances x${balanceFactor}) and ${count(r.quiet)} do not; ${count(r.arrived)} new people\n`,
        );
        return 0;
      }
      const result = await writeGeneratedCsv(out, { rows, seed });
      stampIfDefault(out, defaultParams(rows, seed));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `wrote ${shownPath}: ${count(result.rows)} rows, ` +
          `${count(result.customers)} CustomerIDs (${count(result.people)} people), ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds} s (seed ${seed})\n`,
      );
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code) throw new InputError(`cannot write ${out}: ${e.message}`);
      throw err;
    }
    return 0;
  },
};
